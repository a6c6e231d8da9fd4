// -m icmp --icmp-type {NAME | TYPE[/CODE[:CODE]] | any} (libipt_icmp, parser of libxt_icmp.h as
// in iptables 1.8.9).

import type { IcmpMatch } from '../../../ir/matches/icmp.js';
import type { MatchExtension, OptionUse, ParseContext } from '../extension.js';
import { strtouiPrefix } from '../numbers.js';

/** A name iptables accepts for a type with a code range. */
export type IcmpName = readonly [name: string, type: number, codeMin: number, codeMax: number];

/** libxt_icmp.h icmp_codes, in its order (a prefix of a name selects it unless ambiguous). */
const ICMP_NAMES: readonly IcmpName[] = [
  ['any', 0xff, 0, 0xff],
  ['echo-reply', 0, 0, 0xff],
  ['pong', 0, 0, 0xff],
  ['destination-unreachable', 3, 0, 0xff],
  ['network-unreachable', 3, 0, 0],
  ['host-unreachable', 3, 1, 1],
  ['protocol-unreachable', 3, 2, 2],
  ['port-unreachable', 3, 3, 3],
  ['fragmentation-needed', 3, 4, 4],
  ['source-route-failed', 3, 5, 5],
  ['network-unknown', 3, 6, 6],
  ['host-unknown', 3, 7, 7],
  ['network-prohibited', 3, 9, 9],
  ['host-prohibited', 3, 10, 10],
  ['TOS-network-unreachable', 3, 11, 11],
  ['TOS-host-unreachable', 3, 12, 12],
  ['communication-prohibited', 3, 13, 13],
  ['host-precedence-violation', 3, 14, 14],
  ['precedence-cutoff', 3, 15, 15],
  ['source-quench', 4, 0, 0xff],
  ['redirect', 5, 0, 0xff],
  ['network-redirect', 5, 0, 0],
  ['host-redirect', 5, 1, 1],
  ['TOS-network-redirect', 5, 2, 2],
  ['TOS-host-redirect', 5, 3, 3],
  ['echo-request', 8, 0, 0xff],
  ['ping', 8, 0, 0xff],
  ['router-advertisement', 9, 0, 0xff],
  ['router-solicitation', 10, 0, 0xff],
  ['time-exceeded', 11, 0, 0xff],
  ['ttl-exceeded', 11, 0, 0xff],
  ['ttl-zero-during-transit', 11, 0, 0],
  ['ttl-zero-during-reassembly', 11, 1, 1],
  ['parameter-problem', 12, 0, 0xff],
  ['ip-header-bad', 12, 0, 0],
  ['required-option-missing', 12, 1, 1],
  ['timestamp-request', 13, 0, 0xff],
  ['timestamp-reply', 14, 0, 0xff],
  ['address-mask-request', 17, 0, 0xff],
  ['address-mask-reply', 18, 0, 0xff],
];

/** `N` or `N:M`, each 0-255 (libxt_icmp.h parse_range); undefined when no number starts it. */
function parseRange(text: string): { from: number; to: number; rest: string } | undefined {
  const a = strtouiPrefix(text, 0, 255);
  if (!a) return undefined;
  if (text[a.end] !== ':') return { from: a.value, to: a.value, rest: text.slice(a.end) };
  const tail = text.slice(a.end + 1);
  const b = strtouiPrefix(tail, 0, 255);
  if (!b) return undefined;
  return { from: a.value, to: b.value, rest: tail.slice(b.end) };
}

/**
 * ipt_parse_icmp / ipt_parse_icmpv6: a case-insensitive prefix of a name (ambiguous prefixes
 * refused), or a number with an optional /code or /code:code.
 */
export function parseIcmpType(
  use: OptionUse,
  ctx: ParseContext,
  names: readonly IcmpName[],
  what: 'ICMP' | 'ICMPv6',
): { type: number; codeMin: number; codeMax: number } {
  const text = use.value!;
  const lower = text.toLowerCase();
  let found: IcmpName | undefined;
  for (const entry of names) {
    if (!entry[0].toLowerCase().startsWith(lower)) continue;
    if (found) ctx.error(use.valueAt, `Ambiguous ${what} type \`${text}': \`${found[0]}' or \`${entry[0]}'?`);
    found = entry;
  }
  if (found) return { type: found[1], codeMin: found[2], codeMax: found[3] };
  const type = parseRange(text);
  if (!type) ctx.error(use.valueAt, `Unknown ${what} type \`${text}'`);
  let codeMin = 0;
  let codeMax = 0xff;
  let rest = type!.rest;
  if (rest[0] === '/') {
    const code = parseRange(rest.slice(1));
    if (!code) ctx.error(use.valueAt, `Unknown ${what} code \`${text}'`);
    codeMin = code!.from;
    codeMax = code!.to;
    rest = code!.rest;
  }
  if (rest !== '') ctx.error(use.valueAt, `unknown character ${rest[0]} in ${what} type \`${text}'`);
  if (type!.from !== type!.to) ctx.error(use.valueAt, `${what} type range not supported`);
  return { type: type!.from, codeMin, codeMax };
}

export const icmpMatch: MatchExtension<IcmpMatch> = {
  name: 'icmp',
  kinds: ['icmp'],
  families: ['ipv4'],
  kernelProtocol: 1,
  options: [{ name: 'icmp-type', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'icmp-type');
    if (!use) ctx.error(at, 'icmp: option "--icmp-type" must be specified');
    return { kind: 'icmp', ...parseIcmpType(use!, ctx, ICMP_NAMES, 'ICMP'), invert: use!.invert };
  },
  save(m) {
    // iptables 1.8.9 prints every type-255 match as `any`, whatever its codes.
    let value: string;
    if (m.type === 0xff) value = 'any';
    else value = m.codeMin !== 0 || m.codeMax !== 0xff ? `${m.type}/${m.codeMin}` : String(m.type);
    return `${m.invert ? '! ' : ''}--icmp-type ${value}`;
  },
};
