// -m pkttype (xt_pkttype.c, pkttype_mt): the packet's link-layer class, skb->pkt_type.
//
// The engine packet has no pkt_type, so it is rebuilt from what set it in the kernel:
// - A received Ethernet frame: eth_type_trans classifies the destination MAC: group bit set →
//   broadcast (ff:ff:ff:ff:ff:ff) or multicast, otherwise host. (PACKET_OTHERHOST never reaches
//   an iptables hook: ip_rcv/ip6_rcv drop it, and br_netfilter sets it to PACKET_HOST around the
//   hooks it runs.)
// - Received without a link header: a multicast or broadcast copy looped back to the host
//   (dev_loopback_xmit sets PACKET_LOOPBACK, which pkttype_mt turns into multicast for an IPv4
//   multicast destination or any IPv6 packet, and broadcast otherwise); any other such packet
//   (lo, tun) is PACKET_HOST.
// - Locally generated (OUTPUT, POSTROUTING): a new skb is PACKET_HOST, whatever the destination,
//   so only "unicast" matches there.

import type { PacketType, PkttypeMatch } from '../../../ir/matches/pkttype.js';
import type { MatchContext } from '../match-context.js';
import type { MatchEvaluator } from '../match-evaluator.js';

function packetType(ctx: MatchContext): PacketType {
  const p = ctx.packet;
  const mac = p.macDst;
  if (mac !== null) {
    if ((mac[0]! & 1) === 0) return 'unicast';
    for (let i = 0; i < 6; i++) if (mac[i] !== 0xff) return 'multicast';
    return 'broadcast';
  }
  if (p.iif === null) return 'unicast';
  const d = p.decoded;
  if (d.family === 'ipv6') return d.dst[0]! >>> 24 === 0xff ? 'multicast' : 'unicast';
  const dst = d.dst[0]! >>> 0;
  if (dst >>> 28 === 0xe) return 'multicast';
  if (dst === 0xffffffff || ctx.host.addressType('ipv4', d.dst) === 'broadcast') return 'broadcast';
  return 'unicast';
}

export const pkttypeEvaluator: MatchEvaluator<PkttypeMatch> = {
  kind: 'pkttype',
  test: (m, ctx) => (packetType(ctx) === m.type.value) !== m.type.invert,
};
