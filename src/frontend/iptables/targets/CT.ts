// -j CT (libxt_CT revision 2): --notrack, --helper NAME, --timeout NAME, --ctevents LIST,
// --expevents LIST, --zone / --zone-orig / --zone-reply {ID|mark}. iptables-save prints them in
// that order; zone direction flags accumulate, so --zone-orig and --zone-reply together print
// as --zone.

import {
  CT_EVENTS,
  type CtEvent,
  type CtTarget,
  type CtZone,
  type ExpEvent,
} from '../../../ir/targets/CT.js';
import { type OptionUse, optional, type ParseContext, type TargetExtension } from '../extension.js';
import { parseUintInRange } from '../numbers.js';
import { truncateBytes } from '../xtables-options.js';

const EXP_EVENTS: readonly ExpEvent[] = ['new'];

/**
 * Conntrack helpers the kernel can attach (nf_conntrack_helper_try_load by name, family and the
 * rule's -p): name → protocols, and whether it exists for IPv6 too. Names are case-sensitive.
 */
const HELPERS: Readonly<Record<string, { readonly protos: readonly number[]; readonly ipv6: boolean }>> = {
  ftp: { protos: [6], ipv6: true },
  sip: { protos: [17, 6], ipv6: true },
  tftp: { protos: [17], ipv6: true },
  amanda: { protos: [17], ipv6: true },
  RAS: { protos: [17], ipv6: true },
  'Q.931': { protos: [6], ipv6: true },
  'H.245': { protos: [17], ipv6: true },
  sane: { protos: [6], ipv6: true },
  irc: { protos: [6], ipv6: false },
  pptp: { protos: [6], ipv6: false },
  snmp: { protos: [17], ipv6: false },
  snmp_trap: { protos: [17], ipv6: false },
  'netbios-ns': { protos: [17], ipv6: false },
};

function parseEvents<E extends string>(use: OptionUse, ctx: ParseContext, table: readonly E[]): E[] {
  const given = new Set<E>();
  for (const name of use.value!.split(',')) {
    if (!(table as readonly string[]).includes(name)) {
      ctx.error(use.valueAt, `Unknown event type "${name}" (expected ${table.join(', ')})`);
    }
    given.add(name as E);
  }
  return table.filter((e) => given.has(e));
}

function checkHelper(name: string, use: OptionUse, ctx: ParseContext): void {
  const p = ctx.protocol;
  if (!p || p.invert || p.protocol === 0) {
    ctx.error(use.valueAt, `CT --helper needs the rule to give a layer-4 protocol (-p, not inverted)`);
  }
  const h = Object.hasOwn(HELPERS, name) ? HELPERS[name] : undefined;
  if (!h?.protos.includes(p!.protocol) || (ctx.family === 'ipv6' && !h.ipv6)) {
    const known = Object.keys(HELPERS)
      .filter((n) => HELPERS[n]!.protos.includes(p!.protocol) && (ctx.family === 'ipv4' || HELPERS[n]!.ipv6))
      .join(', ');
    ctx.error(
      use.valueAt,
      `No such conntrack helper "${name}" for this protocol (the kernel refuses it); known: ${known || 'none'}`,
    );
  }
}

export const ctTarget: TargetExtension<CtTarget> = {
  name: 'CT',
  kinds: ['CT'],
  // xt_CT: .table = "raw".
  tables: ['raw'],
  options: [
    { name: 'notrack', arg: 'none' },
    { name: 'helper', arg: 'required' },
    { name: 'timeout', arg: 'required' },
    { name: 'ctevents', arg: 'required' },
    { name: 'expevents', arg: 'required' },
    { name: 'zone-orig', arg: 'required' },
    { name: 'zone-reply', arg: 'required' },
    { name: 'zone', arg: 'required' },
  ],
  build(uses, ctx) {
    let helper: string | undefined;
    let helperUse: OptionUse | undefined;
    let timeout: string | undefined;
    let ctEvents: CtEvent[] | undefined;
    let expEvents: ExpEvent[] | undefined;
    let zoneId = 0;
    let fromMark = false;
    let orig = false;
    let reply = false;
    for (const use of uses) {
      switch (use.name) {
        case 'helper':
          helper = truncateBytes(use.value!, 16);
          helperUse = use;
          break;
        case 'timeout':
          timeout = truncateBytes(use.value!, 32);
          break;
        case 'ctevents':
          ctEvents = parseEvents(use, ctx, CT_EVENTS);
          break;
        case 'expevents':
          expEvents = parseEvents(use, ctx, EXP_EVENTS);
          break;
        case 'zone':
        case 'zone-orig':
        case 'zone-reply': {
          if (use.name === 'zone-orig') orig = true;
          if (use.name === 'zone-reply') reply = true;
          zoneId = 0;
          if (use.value!.toLowerCase() === 'mark') fromMark = true;
          else {
            const n = parseUintInRange(use.value!, 0, 0xffff);
            if (n === undefined) {
              ctx.error(use.valueAt, `Cannot parse ${use.value} as a zone ID (expected 0-65535 or "mark")`);
            }
            zoneId = n!;
          }
          break;
        }
      }
    }
    const notrack = uses.some((u) => u.name === 'notrack');
    // xt_ct_tg_check: with --notrack the kernel makes no template, so the helper is not looked up.
    if (helper !== undefined && helper !== '' && !notrack) checkHelper(helper, helperUse!, ctx);
    const zone: CtZone | undefined =
      fromMark || zoneId !== 0
        ? { id: zoneId, fromMark, direction: orig === reply ? 'both' : orig ? 'original' : 'reply' }
        : undefined;
    return {
      kind: 'CT',
      notrack,
      ...optional('helper', helper === '' ? undefined : helper),
      ...optional('timeout', timeout === '' ? undefined : timeout),
      ...optional('ctEvents', ctEvents),
      ...optional('expEvents', expEvents),
      ...optional('zone', zone),
    };
  },
  save(t) {
    const parts: string[] = [];
    if (t.notrack) parts.push('--notrack');
    if (t.helper) parts.push(`--helper ${t.helper}`);
    if (t.timeout) parts.push(`--timeout ${t.timeout}`);
    if (t.ctEvents?.length) parts.push(`--ctevents ${t.ctEvents.join(',')}`);
    if (t.expEvents?.length) parts.push(`--expevents ${t.expEvents.join(',')}`);
    if (t.zone) {
      const dir = t.zone.direction === 'original' ? '-orig' : t.zone.direction === 'reply' ? '-reply' : '';
      parts.push(`--zone${dir} ${t.zone.fromMark ? 'mark' : t.zone.id}`);
    }
    return parts.join(' ');
  },
};
