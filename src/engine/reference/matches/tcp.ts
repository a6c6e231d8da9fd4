// -m tcp (xt_tcpudp.c, tcp_mt): ports, the flags byte and TCP option presence. Also the
// transport-header helpers every port/L4 match shares: par->thoff, par->fragoff and
// skb_header_pointer's bounds test, as ipt_do_table / ip6t_do_table set them up.

import type { Negated, PortRange } from '../../../ir/common.js';
import type { TcpMatch } from '../../../ir/matches/tcp.js';
import { get8, get16 } from '../../../wire/bytes.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import type { EnginePacket } from '../packet.js';

/**
 * skb->len at the hook: the datagram. ip_rcv_core / ip6_rcv_core trim any bytes beyond
 * tot_len / 40 + payload_len (link padding), so those are never searched or read.
 */
export function skbLength(p: EnginePacket): number {
  return Math.min(p.bytes.length, p.decoded.ipLength);
}

/** skb_header_pointer succeeds: `len` bytes at `off` lie within the packet. */
export function hasBytes(p: EnginePacket, off: number, len: number): boolean {
  return off >= 0 && off + len <= skbLength(p);
}

/** par->fragoff != 0: a non-first fragment (IPv4 offset field, or IPv6 Fragment header offset). */
export function isLaterFragment(p: EnginePacket): boolean {
  const f = p.decoded.fragment;
  return f !== null && f.offset !== 0;
}

/**
 * par->thoff. IPv4 (ipt_do_table): ip_hdrlen, even for a non-first fragment. IPv6
 * (ip6_packet_match → ipv6_find_hdr with target -1): the upper-layer header's offset; for a
 * non-first fragment ipv6_find_hdr returns before writing the offset, so thoff stays 0.
 */
export function transportOffset(p: EnginePacket): number {
  const d = p.decoded;
  if (d.family === 'ipv6' && isLaterFragment(p)) return 0;
  return d.ipHeaderLength;
}

/**
 * tcp_mt's "evil fragment" test: fragoff == 1, in IPv4's 8-byte units (offset 8 bytes). IPv6
 * fragoff is in bytes with the low 3 bits clear, so it is never 1.
 */
export function isOffsetOneFragment(p: EnginePacket): boolean {
  return p.decoded.family === 'ipv4' && p.decoded.fragment?.offset === 8;
}

/** port_match: the range test, XORed with the option's own `!`. Absent: 0:65535, not inverted. */
export function portMatches(r: Negated<PortRange> | undefined, port: number): boolean {
  if (r === undefined) return true;
  return (port >= r.value.from && port <= r.value.to) !== r.invert;
}

const TCP_HEADER_LEN = 20;

export const tcpEvaluator: MatchEvaluator<TcpMatch> = {
  kind: 'tcp',
  test(m, ctx) {
    const p = ctx.packet;
    if (isLaterFragment(p)) {
      // "Don't allow a fragment of TCP 8 bytes in": it could overwrite the flags.
      return isOffsetOneFragment(p) ? 'hotdrop' : false;
    }
    const th = transportOffset(p);
    if (!hasBytes(p, th, TCP_HEADER_LEN)) return 'hotdrop';
    const b = p.bytes;
    if (!portMatches(m.sport, get16(b, th))) return false;
    if (!portMatches(m.dport, get16(b, th + 2))) return false;
    if (m.flags) {
      const hit = (get8(b, th + 13) & m.flags.value.mask) === m.flags.value.comp;
      if (hit === m.flags.invert) return false;
    }
    if (m.option) {
      const headerLen = (get8(b, th + 12) >>> 4) * 4;
      if (headerLen < TCP_HEADER_LEN) return 'hotdrop';
      return findTcpOption(p, th, headerLen - TCP_HEADER_LEN, m.option.value, m.option.invert);
    }
    return true;
  },
};

/** tcp_find_option: EOL/NOP are one byte, others step by their length byte (0 counts as 1). */
function findTcpOption(
  p: EnginePacket,
  th: number,
  optLen: number,
  kind: number,
  invert: boolean,
): boolean | 'hotdrop' {
  if (optLen === 0) return invert;
  const start = th + TCP_HEADER_LEN;
  // The whole option area must be present, or the packet is dropped.
  if (!hasBytes(p, start, optLen)) return 'hotdrop';
  const b = p.bytes;
  for (let i = 0; i < optLen; ) {
    const k = get8(b, start + i);
    if (k === kind) return !invert;
    // The length byte may lie just past the options; any step >= 1 ends the loop there anyway.
    i += k < 2 ? 1 : get8(b, start + i + 1) || 1;
  }
  return invert;
}
