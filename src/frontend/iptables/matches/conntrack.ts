// -m conntrack (libxt_conntrack revision 3): --ctstate --ctproto --ctorigsrc --ctorigdst
// --ctreplsrc --ctrepldst --ctorigsrcport --ctorigdstport --ctreplsrcport --ctrepldstport
// --ctstatus --ctexpire (all invertible) and --ctdir. Also the state lists the state match
// shares (libxt_state lives in libxt_conntrack.c).

import type { Negated, PortRange } from '../../../ir/common.js';
import {
  CONNTRACK_STATE_ORDER,
  type ConntrackMatch,
  type ConntrackState,
  type ConntrackStateSet,
  type ConntrackStatus,
} from '../../../ir/matches/conntrack.js';
import { formatHostMask, parseHostMask } from '../addresses.js';
import { bang, type MatchExtension, type OptionUse, optional, type ParseContext } from '../extension.js';
import { servicePort } from '../services.js';
import { parseNameList, protocolOption, uintRangeOption } from '../xtables-options.js';

const CTSTATE_NAMES: readonly (readonly [string, ConntrackState])[] = [
  ['INVALID', 'invalid'],
  ['NEW', 'new'],
  ['ESTABLISHED', 'established'],
  ['RELATED', 'related'],
  ['UNTRACKED', 'untracked'],
  ['SNAT', 'snat'],
  ['DNAT', 'dnat'],
];

/** Deduplicated, in the kernel's bit order. */
export function stateSet(states: readonly ConntrackState[]): ConntrackStateSet {
  return CONNTRACK_STATE_ORDER.filter((s) => states.includes(s));
}

export function formatStates(states: ConntrackStateSet): string {
  return states.map((s) => s.toUpperCase()).join(',');
}

/** --state's list (libxt_conntrack state_parse_states): no SNAT/DNAT, "Bad state" errors. */
export function parseStateOption(use: OptionUse, ctx: ParseContext): ConntrackStateSet {
  const list = parseNameList(
    use.value!,
    CTSTATE_NAMES.slice(0, 5),
    (rest) =>
      ctx.error(
        use.valueAt,
        `Bad state "${rest}" (expected INVALID, ESTABLISHED, NEW, RELATED or UNTRACKED)`,
      ),
    () =>
      ctx.error(use.valueAt, '"--state" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED'),
  );
  return stateSet(list);
}

const STATUS_NAMES: readonly (readonly [string, ConntrackStatus | null])[] = [
  ['NONE', null],
  ['EXPECTED', 'expected'],
  ['SEEN_REPLY', 'seen-reply'],
  ['ASSURED', 'assured'],
  ['CONFIRMED', 'confirmed'],
];
const STATUS_ORDER: readonly ConntrackStatus[] = ['expected', 'seen-reply', 'assured', 'confirmed'];

/** getaddrinfo's service lookup: a decimal number (truncated to 16 bits) or a service name. */
function servicePortNumber(text: string): number | undefined {
  if (/^[0-9]+$/.test(text)) {
    const n = BigInt(text);
    return n > 0xffffffffffffffffn ? 0xffff : Number(n & 0xffffn);
  }
  return servicePort(text, undefined);
}

/** XTTYPE_PORTRC (xtopt_parse_mport): `port`, `a:b`, `a:`, `:b`, `:`. */
function parsePortOption(use: OptionUse, ctx: ParseContext): PortRange {
  const parts = use.value!.split(':');
  if (parts.length > 2)
    ctx.error(use.valueAt, `conntrack: Too many components for option "--${use.name}" (max: 2)`);
  const range = [0, 0xffff];
  let prev = 0;
  parts.forEach((p, i) => {
    if (p === '') return;
    const v = servicePortNumber(p);
    if (v === undefined) ctx.error(use.valueAt, `Port "${p}" does not resolve to anything.`);
    if (v! < prev) ctx.error(use.valueAt, `Port range ${prev}-${v} is negative.`);
    prev = v!;
    range[i] = v!;
  });
  if (parts.length === 1) range[1] = range[0]!;
  return { from: range[0]!, to: range[1]! };
}

function formatPorts(r: PortRange): string {
  return r.to === 0 || r.from === r.to ? String(r.from) : `${r.from}:${r.to}`;
}

const ADDRESS_OPTIONS = [
  ['ctorigsrc', 'origSrc'],
  ['ctorigdst', 'origDst'],
  ['ctreplsrc', 'replSrc'],
  ['ctrepldst', 'replDst'],
] as const;
const PORT_OPTIONS = [
  ['ctorigsrcport', 'origSrcPort'],
  ['ctorigdstport', 'origDstPort'],
  ['ctreplsrcport', 'replSrcPort'],
  ['ctrepldstport', 'replDstPort'],
] as const;

export const conntrackMatch: MatchExtension<ConntrackMatch> = {
  name: 'conntrack',
  kinds: ['conntrack'],
  options: [
    { name: 'ctstate', arg: 'required', invert: true },
    { name: 'ctproto', arg: 'required', invert: true },
    { name: 'ctorigsrc', arg: 'required', invert: true },
    { name: 'ctorigdst', arg: 'required', invert: true },
    { name: 'ctreplsrc', arg: 'required', invert: true },
    { name: 'ctrepldst', arg: 'required', invert: true },
    { name: 'ctstatus', arg: 'required', invert: true },
    { name: 'ctexpire', arg: 'required', invert: true },
    { name: 'ctorigsrcport', arg: 'required', invert: true },
    { name: 'ctorigdstport', arg: 'required', invert: true },
    { name: 'ctreplsrcport', arg: 'required', invert: true },
    { name: 'ctrepldstport', arg: 'required', invert: true },
    { name: 'ctdir', arg: 'required' },
  ],
  build(uses, ctx, at) {
    if (uses.length === 0) ctx.error(at, 'conntrack: At least one option is required');
    const get = (n: string) => uses.find((u) => u.name === n);
    const neg = <T>(use: OptionUse | undefined, f: (u: OptionUse) => T): Negated<T> | undefined =>
      use ? { value: f(use), invert: use.invert } : undefined;
    const state = neg(get('ctstate'), (u) =>
      stateSet(
        parseNameList(u.value!, CTSTATE_NAMES, (rest) =>
          ctx.error(
            u.valueAt,
            `Bad ctstate "${rest}" (expected INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED, SNAT or DNAT)`,
          ),
        ),
      ),
    );
    const status = neg(get('ctstatus'), (u) => {
      const list = parseNameList(u.value!, STATUS_NAMES, (rest) =>
        ctx.error(
          u.valueAt,
          `Bad ctstatus "${rest}" (expected NONE, EXPECTED, SEEN_REPLY, ASSURED or CONFIRMED)`,
        ),
      );
      return STATUS_ORDER.filter((s) => list.includes(s));
    });
    const expires = neg(get('ctexpire'), (u) => {
      const v = uintRangeOption(u, ctx, 'conntrack', 0xffffffffn);
      return { from: Number(v[0]), to: Number(v[1] ?? v[0]) };
    });
    const dir = get('ctdir');
    let direction: 'original' | 'reply' | undefined;
    if (dir) {
      const d = dir.value!.toUpperCase();
      if (d !== 'ORIGINAL' && d !== 'REPLY')
        ctx.error(
          dir.valueAt,
          `conntrack: Bad value for "--ctdir" option: "${dir.value}" (expected ORIGINAL or REPLY)`,
        );
      direction = d === 'ORIGINAL' ? 'original' : 'reply';
    }
    const m: { -readonly [K in keyof ConntrackMatch]: ConntrackMatch[K] } = {
      kind: 'conntrack',
      ...optional('state', state),
      ...optional(
        'protocol',
        neg(get('ctproto'), (u) => protocolOption(u, ctx)),
      ),
    };
    for (const [opt, field] of ADDRESS_OPTIONS) {
      const a = neg(get(opt), (u) => parseHostMask(u, ctx, 'conntrack'));
      if (a) m[field] = a;
    }
    for (const [opt, field] of PORT_OPTIONS) {
      const p = neg(get(opt), (u) => parsePortOption(u, ctx));
      if (p) m[field] = p;
    }
    if (status) m.status = status;
    if (expires) m.expires = expires;
    if (direction) m.direction = direction;
    return m;
  },
  save(m, family) {
    const parts: string[] = [];
    const opt = <T>(name: string, v: Negated<T> | undefined, f: (x: T) => string) => {
      if (v) parts.push(`${bang(v.invert)}--${name} ${f(v.value)}`);
    };
    opt('ctstate', m.state, formatStates);
    opt('ctproto', m.protocol, String);
    for (const [name, field] of ADDRESS_OPTIONS) opt(name, m[field], (a) => formatHostMask(a, family));
    for (const [name, field] of PORT_OPTIONS) opt(name, m[field], formatPorts);
    opt('ctstatus', m.status, (s) =>
      s.length ? s.map((x) => x.toUpperCase().replace('-', '_')).join(',') : 'NONE',
    );
    opt('ctexpire', m.expires, (e) => (e.from === e.to ? String(e.from) : `${e.from}:${e.to}`));
    if (m.direction) parts.push(`--ctdir ${m.direction === 'original' ? 'ORIGINAL' : 'REPLY'}`);
    return parts.join(' ');
  },
};
