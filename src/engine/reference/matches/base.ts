// The IP-header part of every rule (ip_packet_match / ip6_packet_match): addresses under masks,
// interface names with iptables' `+` wildcard, the upper-layer protocol, and IPv4 `-f`.

import type { IpNet } from '../../../ir/address.js';
import type {
  DestinationMatch,
  FragmentMatch,
  InterfaceMatch,
  ProtocolMatch,
  SourceMatch,
} from '../../../ir/base-matches.js';
import type { MatchEvaluator } from '../match-evaluator.js';

export function inNet(addr: readonly number[], net: IpNet): boolean {
  for (let i = 0; i < net.addr.length; i++) {
    if ((addr[i]! & net.mask[i]!) >>> 0 !== net.addr[i]) return false;
  }
  return true;
}

export const sourceEvaluator: MatchEvaluator<SourceMatch> = {
  kind: 'source',
  test: (m, ctx) => inNet(ctx.packet.decoded.src, m.net) !== m.invert,
};

export const destinationEvaluator: MatchEvaluator<DestinationMatch> = {
  kind: 'destination',
  test: (m, ctx) => inNet(ctx.packet.decoded.dst, m.net) !== m.invert,
};

/** ifname_compare: the whole name, or with `+` just the prefix; no interface is the empty name. */
export function interfaceMatches(m: InterfaceMatch, name: string | null): boolean {
  const actual = name ?? '';
  const hit = m.wildcard ? actual.startsWith(m.name) : actual === m.name;
  return hit !== m.invert;
}

export const inInterfaceEvaluator: MatchEvaluator<InterfaceMatch> = {
  kind: 'in-interface',
  test: (m, ctx) => interfaceMatches(m, ctx.packet.iif),
};

export const outInterfaceEvaluator: MatchEvaluator<InterfaceMatch> = {
  kind: 'out-interface',
  test: (m, ctx) => interfaceMatches(m, ctx.packet.oif),
};

export const protocolEvaluator: MatchEvaluator<ProtocolMatch> = {
  kind: 'protocol',
  test: (m, ctx) => (ctx.packet.decoded.protocol === m.protocol) !== m.invert,
};

/** `-f`: a second or later fragment (fragment offset non-zero). */
export const fragmentEvaluator: MatchEvaluator<FragmentMatch> = {
  kind: 'fragment',
  test: (m, ctx) => ((ctx.packet.decoded.fragment?.offset ?? 0) !== 0) !== m.invert,
};
