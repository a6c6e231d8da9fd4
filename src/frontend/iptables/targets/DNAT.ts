// -j DNAT --to-destination [addr[-addr]][:port[-port[/base]]] [--random] [--persistent]
// (libxt_NAT.c). This file also holds what SNAT, MASQUERADE and REDIRECT share: the
// `--to-destination`/`--to-source`/`--to-ports` syntax, exactly as libxt_NAT's parse_to and
// parse_ports read it, and sprint_range's save form.

import type { Family, IpRange } from '../../../ir/address.js';
import { formatAddress } from '../../../ir/address.js';
import type { PortRange } from '../../../ir/common.js';
import type { TableName } from '../../../ir/ruleset.js';
import type { Target } from '../../../ir/target.js';
import type { DnatTarget } from '../../../ir/targets/DNAT.js';
import type { NatRange } from '../../../ir/targets/nat-range.js';
import { inetPton } from '../addresses.js';
import type { OptionSpec, OptionUse, ParseContext, TargetExtension } from '../extension.js';
import { strtouiPrefix } from '../numbers.js';
import { servicePort } from '../services.js';
import type { Token } from '../tokens.js';

/** Protocols libxt_NAT allows a port (or ICMP id) range with (its `portok`; `-p` inverted counts too). */
const PORT_PROTOCOLS = new Set([6, 17, 132, 33, 1]);

export interface NatPorts {
  readonly ports: PortRange;
  readonly offsetBase?: number;
}

/** libxt_NAT parse_ports: `port`, `port-port` or `port-port/base` (service names for single ports and the base). */
export function parseNatPorts(arg: string, ctx: ParseContext, at: Token | undefined): NatPorts {
  const proto = ctx.protocol;
  if (!proto || !PORT_PROTOCOLS.has(proto.protocol)) {
    ctx.error(
      at,
      'Need TCP, UDP, SCTP or DCCP with port specification (give -p tcp, udp, sctp, dccp or icmp before the target)',
    );
  }
  let from: number;
  let rest: string;
  const first = strtouiPrefix(arg, 0, 0xffff);
  if (first) {
    from = first.value;
    rest = arg.slice(first.end);
  } else {
    const service = servicePort(arg, undefined);
    if (service === undefined)
      ctx.error(at, `Port \`${arg}' not valid (expected a number 0-65535 or a service name)`);
    from = service!;
    rest = '';
  }
  if (rest === '') return { ports: { from, to: from } };
  if (rest[0] === ':') ctx.error(at, 'Invalid port:port syntax - use dash (port-port)');
  if (rest[0] !== '-') ctx.error(at, `Garbage after port value: \`${rest}'`);
  const maxText = rest.slice(1);
  const second = strtouiPrefix(maxText, 0, 0xffff);
  if (!second) ctx.error(at, `Port \`${maxText}' not valid (the end of a range must be a number 0-65535)`);
  const to = second!.value;
  if (to < from) ctx.error(at, `Port range \`${maxText}' funky (the end is below the start ${from})`);
  rest = maxText.slice(second!.end);
  if (rest === '') return { ports: { from, to } };
  if (rest[0] !== '/') ctx.error(at, `Garbage after port range: \`${rest}'`);
  const baseText = rest.slice(1);
  const base = strtouiPrefix(baseText, 1, 0xffff);
  let offsetBase: number;
  if (base) offsetBase = base.value;
  else {
    const service = servicePort(baseText, undefined);
    if (service === undefined) ctx.error(at, `Port \`${baseText}' not valid (expected a base port 1-65535)`);
    offsetBase = service!;
  }
  return { ports: { from, to }, offsetBase };
}

/** libxt_NAT parse_to: `[addr[-addr]][:ports]`, IPv6 addresses in brackets when ports follow. */
export function parseNatTo(
  arg: string,
  ctx: ParseContext,
  at: Token | undefined,
): { readonly addresses?: IpRange; readonly ports?: NatPorts } {
  const family = ctx.family;
  let addrText: string;
  let colon: number;
  const lb = arg.indexOf('[');
  if (lb < 0) {
    // One colon is a port separator; more than one means an IPv6 address without ports.
    colon = arg.indexOf(':');
    if (colon >= 0 && arg.indexOf(':', colon + 1) >= 0) colon = -1;
    addrText = colon >= 0 ? arg.slice(0, colon) : arg;
  } else {
    const rb = arg.indexOf(']', lb + 1);
    if (rb < 0 || family === 'ipv4') {
      ctx.error(
        at,
        family === 'ipv4'
          ? 'Invalid address format (brackets are for IPv6 addresses)'
          : "Invalid address format (missing `]')",
      );
    }
    addrText = arg.slice(lb + 1, rb);
    colon = arg.indexOf(':', rb + 1);
  }
  let ports: NatPorts | undefined;
  if (colon >= 0) {
    ports = parseNatPorts(arg.slice(colon + 1), ctx, at);
    // Starts with a colon, or "[]:": no address. (parse_to tests the colon's offset, so any
    // two characters before a lone colon are ignored too.)
    if (colon === 0 || colon === 2) return { ports };
  }
  const dash = addrText.indexOf('-');
  const minText = dash >= 0 ? addrText.slice(0, dash) : addrText;
  const min = inetPton(family, minText);
  if (!min)
    ctx.error(
      at,
      `Bad IP address "${minText}" (expected a numeric ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address)`,
    );
  let max = min!;
  if (dash >= 0) {
    const maxText = addrText.slice(dash + 1);
    const m = inetPton(family, maxText);
    if (!m)
      ctx.error(
        at,
        `Bad IP address "${maxText}" (expected a numeric ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address)`,
      );
    max = m!;
  }
  return { addresses: { family, from: min!, to: max }, ...(ports ? { ports } : {}) };
}

/** libxt_NAT sprint_range (skipColon: MASQUERADE/REDIRECT's `--to-ports` form). */
export function formatNatRange(r: NatRange, family: Family, skipColon: boolean): string {
  let s = '';
  const brackets = family === 'ipv6' && r.ports !== undefined;
  if (r.addresses) {
    s += brackets ? '[' : '';
    s += formatAddress(family, r.addresses.from);
    if (r.addresses.from.some((w, i) => w !== r.addresses!.to[i]))
      s += `-${formatAddress(family, r.addresses.to)}`;
    s += brackets ? ']' : '';
  }
  if (r.ports) {
    s += `:${r.ports.from}`;
    if (r.ports.to !== r.ports.from) s += `-${r.ports.to}`;
    if (r.portOffsetBase !== undefined) s += `/${r.portOffsetBase}`;
  }
  return skipColon && s.startsWith(':') ? s.slice(1) : s;
}

/** __NAT_print in save form: the range option (when there is a range), then the flags. */
export function saveNatRange(r: NatRange, family: Family, rangeOption: string, skipColon: boolean): string {
  const parts: string[] = [];
  const range = formatNatRange(r, family, skipColon);
  if (range) parts.push(`--${rangeOption} ${range}`);
  if (r.random) parts.push('--random');
  if (r.randomFully) parts.push('--random-fully');
  if (r.persistent) parts.push('--persistent');
  return parts.join(' ');
}

export interface NatTargetConfig<K extends 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT'> {
  readonly name: K;
  /** The range option: an address form (`to-destination`/`to-source`) or ports only (`to-ports`). */
  readonly rangeOption: 'to-destination' | 'to-source' | 'to-ports';
  /** Whether the range option is mandatory (XTOPT_MAND). */
  readonly mandatory: boolean;
  readonly flags: readonly ('random' | 'random-fully' | 'persistent')[];
  /**
   * What becomes of a shifted-portmap base (`/base`): kept (DNAT revision 2's nf_nat_range2),
   * zeroed (SNAT/MASQUERADE: the flag reaches the kernel, the base has no room in their
   * structures) or refused (REDIRECT's final check).
   */
  readonly offset: 'keep' | 'zero' | 'refuse';
  readonly tables: readonly TableName[];
  readonly hooks: readonly string[];
}

type NatTargetOf<K extends string> = Extract<Target, { kind: K }>;

/** One of the four NAT targets of libxt_NAT. */
export function natTarget<K extends 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT'>(
  config: NatTargetConfig<K>,
): TargetExtension<NatTargetOf<K>> {
  const options: OptionSpec[] = [
    { name: config.rangeOption, arg: 'required' },
    ...config.flags.map((f): OptionSpec => ({ name: f, arg: 'none' })),
  ];
  const portsOnly = config.rangeOption === 'to-ports';
  return {
    name: config.name,
    kinds: [config.name] as unknown as readonly NatTargetOf<K>['kind'][],
    tables: config.tables,
    hooks: config.hooks,
    options,
    build(uses: readonly OptionUse[], ctx: ParseContext, at: Token): NatTargetOf<K> {
      const has = (n: string) => uses.some((u) => u.name === n);
      const use = uses.find((u) => u.name === config.rangeOption);
      if (!use && config.mandatory)
        ctx.error(at, `${config.name}: option "--${config.rangeOption}" must be specified`);
      let addresses: IpRange | undefined;
      let ports: NatPorts | undefined;
      if (use) {
        // libxt_NAT checks -p while reading the option, so only a -p before it counts.
        const optionCtx: ParseContext = { ...ctx, protocol: use.protocol };
        if (portsOnly) ports = parseNatPorts(use.value!, optionCtx, use.valueAt);
        else ({ addresses, ports } = parseNatTo(use.value!, optionCtx, use.valueAt));
      }
      if (ports?.offsetBase !== undefined && config.offset === 'refuse') {
        ctx.error(
          use!.valueAt,
          'Shifted portmap ranges not supported with this kernel (REDIRECT takes no /base)',
        );
      }
      const offsetBase =
        ports?.offsetBase === undefined ? undefined : config.offset === 'zero' ? 0 : ports.offsetBase;
      const range: NatRange = {
        ...(addresses ? { addresses } : {}),
        ...(ports ? { ports: ports.ports } : {}),
        ...(offsetBase !== undefined ? { portOffsetBase: offsetBase } : {}),
        random: has('random'),
        randomFully: has('random-fully'),
        persistent: has('persistent'),
      };
      return { kind: config.name, range } as NatTargetOf<K>;
    },
    save(t: NatTargetOf<K>, family: Family): string {
      return saveNatRange((t as { range: NatRange }).range, family, config.rangeOption, portsOnly);
    },
  };
}

export const dnatTarget: TargetExtension<DnatTarget> = natTarget({
  name: 'DNAT',
  rangeOption: 'to-destination',
  mandatory: true,
  flags: ['random', 'persistent'],
  offset: 'keep',
  tables: ['nat'],
  hooks: ['PREROUTING', 'OUTPUT'],
});
