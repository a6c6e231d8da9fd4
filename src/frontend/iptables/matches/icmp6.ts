// -m icmp6 (also -m icmpv6 / -m ipv6-icmp) --icmpv6-type {NAME | TYPE[/CODE[:CODE]]}
// (libip6t_icmp6, names of libxt_icmp.h as in iptables 1.8.9).

import type { Icmp6Match } from '../../../ir/matches/icmp6.js';
import type { MatchExtension } from '../extension.js';
import { type IcmpName, parseIcmpType } from './icmp.js';

/** libxt_icmp.h icmpv6_codes as of iptables 1.8.9 (the mld-listener names came later). */
const ICMPV6_NAMES: readonly IcmpName[] = [
  ['destination-unreachable', 1, 0, 0xff],
  ['no-route', 1, 0, 0],
  ['communication-prohibited', 1, 1, 1],
  ['beyond-scope', 1, 2, 2],
  ['address-unreachable', 1, 3, 3],
  ['port-unreachable', 1, 4, 4],
  ['failed-policy', 1, 5, 5],
  ['reject-route', 1, 6, 6],
  ['packet-too-big', 2, 0, 0xff],
  ['time-exceeded', 3, 0, 0xff],
  ['ttl-exceeded', 3, 0, 0xff],
  ['ttl-zero-during-transit', 3, 0, 0],
  ['ttl-zero-during-reassembly', 3, 1, 1],
  ['parameter-problem', 4, 0, 0xff],
  ['bad-header', 4, 0, 0],
  ['unknown-header-type', 4, 1, 1],
  ['unknown-option', 4, 2, 2],
  ['echo-request', 128, 0, 0xff],
  ['ping', 128, 0, 0xff],
  ['echo-reply', 129, 0, 0xff],
  ['pong', 129, 0, 0xff],
  ['router-solicitation', 133, 0, 0xff],
  ['router-advertisement', 134, 0, 0xff],
  ['neighbour-solicitation', 135, 0, 0xff],
  ['neighbor-solicitation', 135, 0, 0xff],
  ['neighbour-advertisement', 136, 0, 0xff],
  ['neighbor-advertisement', 136, 0, 0xff],
  ['redirect', 137, 0, 0xff],
];

export const icmp6Match: MatchExtension<Icmp6Match> = {
  name: 'icmp6',
  kinds: ['icmp6'],
  families: ['ipv6'],
  kernelProtocol: 58,
  options: [{ name: 'icmpv6-type', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'icmpv6-type');
    if (!use) ctx.error(at, 'icmp6: option "--icmpv6-type" must be specified');
    return { kind: 'icmp6', ...parseIcmpType(use!, ctx, ICMPV6_NAMES, 'ICMPv6'), invert: use!.invert };
  },
  save(m) {
    const code = m.codeMin !== 0 || m.codeMax !== 0xff ? `/${m.codeMin}` : '';
    return `${m.invert ? '! ' : ''}--icmpv6-type ${m.type}${code}`;
  },
};
