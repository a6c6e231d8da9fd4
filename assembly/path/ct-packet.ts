// The packet record conntrack reads (P_* in conntrack/layout.ts) built in WebAssembly from an
// IPv4 datagram: the same bytes encodePacket (src/engine/wasm/conntrack.ts) writes for the
// CtPacket that ctPacketOf (src/engine/reference/ct-packet.ts) makes of decodePacket's view
// (src/wire/packet.ts), so the packet path needs no JavaScript per packet.
//
// ctPacketOf reads some header fields of a short first fragment past the datagram's end, where
// the JavaScript bytes read as 0: those reads go through byteAt, bounded by the datagram end.

import { onesSum } from '../checksum';
import {
  HOOK_PREROUTING,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
  P_ACK,
  P_DPORT,
  P_DST,
  P_FLAGS,
  P_ICMP_CODE,
  P_ICMP_ID,
  P_ICMP_TYPE,
  P_LENGTH,
  P_NOW,
  P_PAYLOAD,
  P_PROTO,
  P_Q_DPORT,
  P_Q_DST,
  P_Q_FLAGS,
  P_Q_ICMP_CODE,
  P_Q_ICMP_ID,
  P_Q_ICMP_TYPE,
  P_Q_PROTO,
  P_Q_SPORT,
  P_Q_SRC,
  P_SACK_EDGES,
  P_SEQ,
  P_SPORT,
  P_SRC,
  P_TCP_DOFF,
  P_TCP_FLAGS,
  P_TCP_SACKS,
  P_TCP_WSCALE,
  P_WINDOW,
  P_ZONE,
  PF_BAD_CHECKSUM,
  PF_BAD_UDP_LENGTH,
  PF_ICMP,
  PF_PORTS,
  PF_PREROUTING,
  PF_SACK_PERM,
  PF_TCP,
  PF_TCP_OPTIONS,
  PF_UNPARSABLE,
  PF_WSCALE,
  PKT_BYTES,
  QF_ICMP,
  QF_PORTS,
  QF_PRESENT,
  QF_UNPARSABLE,
} from '../conntrack/layout';
import { be16, be32, zeroQuads } from '../memory';

const IP_MF: u32 = 0x2000;
const IP_OFFSET: u32 = 0x1fff;
const TCPOPT_EOL: u32 = 0;
const TCPOPT_NOP: u32 = 1;
const TCPOPT_WINDOW: u32 = 3;
const TCPOPT_SACK_PERM: u32 = 4;
const TCPOPT_SACK: u32 = 5;

/** The byte at `p`, 0 at or past `end`. */
function byteAt(p: usize, end: usize): u32 {
  return p < end ? <u32>load<u8>(p) : 0;
}

function be16At(p: usize, end: usize): u32 {
  return (byteAt(p, end) << 8) | byteAt(p + 1, end);
}

function be32At(p: usize, end: usize): u32 {
  return (be16At(p, end) << 16) | be16At(p + 2, end);
}

/** icmp_pointers[].error (net/ipv4/icmp.c): unknown types above NR_ICMP_TYPES count as errors. */
function icmpIsError(type: u32): bool {
  return type > 18 || (type >= 1 && type <= 7) || (type >= 9 && type <= 12);
}

/**
 * Whether the ICMP message carries an echo-style identifier: the queries of
 * nf_conntrack_proto_icmp.c, or echo request/reply for an ICMPv6 header (which an IPv4 datagram
 * may carry: decodePacket reads protocol 58 as ICMPv6 whatever the family).
 */
function icmpHasId(protocol: u32, type: u32): bool {
  if (protocol === IPPROTO_ICMPV6) return type === 128 || type === 129;
  return type === 0 || type === 8 || (type >= 13 && type <= 18);
}

/**
 * transportChecksumValid (nf_ip_checksum): the ones'-complement sum of [l4, end) plus the
 * pseudo-header (none for ICMP) folds to 0xffff; a zero UDP checksum means none was sent.
 */
function checksumValid(ip: usize, l4: usize, end: usize, protocol: u32): bool {
  if (protocol === IPPROTO_UDP && be16(l4 + 6) === 0) return true;
  let sum: u64 = 0;
  if (protocol !== IPPROTO_ICMP) {
    const src = be32(ip + 12);
    const dst = be32(ip + 16);
    sum = <u64>((src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + protocol);
    sum += <u64>(<u32>(end - l4) & 0xffff);
  }
  sum += <u64>onesSum(l4, end - l4);
  // Fold without the final complement: a zero sum stays 0 and is not valid.
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return sum === 0xffff;
}

/**
 * The TCP fields and the options window tracking reads (tcp_options / tcp_sack), or
 * PF_UNPARSABLE when decodePacket rejects the header (tcp_error's "short packet"): a full
 * header is needed unless the datagram is a first fragment with the ports and sequence there.
 */
function tcpFields(l4: usize, avail: u32, end: usize, firstFragment: bool, out: usize): u32 {
  const doff = (byteAt(l4 + 12, end) >> 4) << 2;
  const full = avail >= 20 && doff >= 20 && doff <= avail;
  if (!full && !(firstFragment && avail >= 8)) return PF_UNPARSABLE;
  let flags = PF_PORTS | PF_TCP | PF_TCP_OPTIONS;
  store<u16>(out, <u16>be16(l4), P_SPORT);
  store<u16>(out, <u16>be16(l4 + 2), P_DPORT);
  store<u32>(out, be32(l4 + 4), P_SEQ);
  if (avail >= 12) store<u32>(out, be32(l4 + 8), P_ACK);
  if (avail >= 14) store<u8>(out, load<u8>(l4, 13), P_TCP_FLAGS);
  store<u8>(out, <u8>doff, P_TCP_DOFF);
  store<u32>(out, be16At(l4 + 14, end), P_WINDOW);
  if (full) store<u32>(out, avail - doff, P_PAYLOAD);

  let sacks: u32 = 0;
  let sackSeen = false;
  const optEnd = l4 + doff;
  let i = l4 + 20;
  while (i < optEnd) {
    const kind = byteAt(i, end);
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) {
      i++;
      continue;
    }
    const len = byteAt(i + 1, end);
    if (len < 2 || i + len > optEnd) break;
    if (kind === TCPOPT_WINDOW && len === 3) {
      // The last one wins, as in tcp_options.
      flags |= PF_WSCALE;
      store<u8>(out, <u8>byteAt(i + 2, end), P_TCP_WSCALE);
    } else if (kind === TCPOPT_SACK_PERM && len === 2) {
      flags |= PF_SACK_PERM;
    } else if (kind === TCPOPT_SACK && len >= 10 && !sackSeen) {
      // Only the first SACK option's blocks (tcp_sack stops at it); at most 4 fit in 40 bytes.
      sackSeen = true;
      for (let j = i + 2; j + 8 <= i + len; j += 8) {
        store<u32>(out + P_SACK_EDGES + ((<usize>sacks) << 2), be32At(j + 4, end));
        sacks++;
      }
    }
    i += len;
  }
  store<u8>(out, <u8>sacks, P_TCP_SACKS);
  return flags;
}

/**
 * The datagram an ICMP error quotes at `q` (cut short: bytes up to `end`), as decodePacket's
 * inner decode and ctPacketOf's quoted(): nothing when its IPv4 header is not whole; unparsable
 * when it is a later fragment; ports or the ICMP header when 8 transport bytes are there.
 */
function quotedFields(q: usize, end: usize, out: usize): void {
  const avail = <u32>(end - q);
  if (avail < 20) return;
  const vihl = <u32>load<u8>(q);
  const ihl = (vihl & 15) << 2;
  const total = be16(q + 2);
  if (vihl >> 4 !== 4 || ihl < 20 || ihl > avail || total < ihl) return;
  const protocol = <u32>load<u8>(q, 9);
  let qf = QF_PRESENT;
  store<u32>(out, protocol, P_Q_PROTO);
  store<u32>(out, be32(q + 12), P_Q_SRC);
  store<u32>(out, be32(q + 16), P_Q_DST);
  if ((be16(q + 6) & IP_OFFSET) !== 0) {
    qf |= QF_UNPARSABLE;
  } else {
    const l4 = q + ihl;
    const dataEnd = min(end, q + total);
    if (dataEnd - l4 >= 8) {
      if (protocol === IPPROTO_TCP || protocol === IPPROTO_UDP || protocol === IPPROTO_UDPLITE) {
        qf |= QF_PORTS;
        store<u16>(out, <u16>be16(l4), P_Q_SPORT);
        store<u16>(out, <u16>be16(l4 + 2), P_Q_DPORT);
      } else if (protocol === IPPROTO_ICMP || protocol === IPPROTO_ICMPV6) {
        const type = <u32>load<u8>(l4);
        qf |= QF_ICMP;
        store<u8>(out, <u8>type, P_Q_ICMP_TYPE);
        store<u8>(out, load<u8>(l4, 1), P_Q_ICMP_CODE);
        if (icmpHasId(protocol, type)) store<u16>(out, <u16>be16(l4 + 4), P_Q_ICMP_ID);
      }
    }
  }
  store<u32>(out, qf, P_Q_FLAGS);
}

/**
 * Writes the packet record (PKT_BYTES at `out`) of the IPv4 datagram at `ip` (`len` bytes) seen
 * at `hook` (HOOK_*), with nf_conntrack_checksum `checksum`, in conntrack zone `zone` at `now`
 * (ns). False, and nothing written, when the bytes are not an IPv4 header and datagram. A
 * transport header decodePacket would reject is written as PF_UNPARSABLE (conntrack finds it
 * invalid, as the kernel's trackers do a short header), except a UDP length that disagrees
 * with the datagram: PF_BAD_UDP_LENGTH with the ports, as udp_error sees it.
 */
export function ctPacketFromIpv4(
  ip: usize,
  len: u32,
  hook: u32,
  checksum: bool,
  zone: u32,
  now: i64,
  out: usize,
): bool {
  if (len < 20) return false;
  const vihl = <u32>load<u8>(ip);
  const ihl = (vihl & 15) << 2;
  const total = be16(ip + 2);
  if (vihl >> 4 !== 4 || ihl < 20 || ihl > len || total < ihl || total > len) return false;
  zeroQuads(out, PKT_BYTES);
  const protocol = <u32>load<u8>(ip, 9);
  store<u32>(out, protocol, P_PROTO);
  store<u32>(out, total, P_LENGTH);
  store<u32>(out, be32(ip + 12), P_SRC);
  store<u32>(out, be32(ip + 16), P_DST);
  store<u32>(out, zone, P_ZONE);
  store<i64>(out, now, P_NOW);
  let flags: u32 = hook === HOOK_PREROUTING ? PF_PREROUTING : 0;

  const frag = be16(ip + 6);
  // A later fragment has no layer-4 header (ipv4_get_l4proto); conntrack normally sees the
  // reassembled datagram (nf_defrag_ipv4), but ctPacketOf is handed whatever arrives.
  if ((frag & IP_OFFSET) !== 0) {
    store<u32>(out, flags | PF_UNPARSABLE, P_FLAGS);
    return true;
  }
  const firstFragment = (frag & IP_MF) !== 0;
  const l4 = ip + ihl;
  const end = ip + total;
  const avail = total - ihl;
  // nf_conntrack_checksum: layer-4 checksums are verified in PREROUTING only.
  const verify = checksum && hook === HOOK_PREROUTING;

  if (protocol === IPPROTO_TCP) {
    flags |= tcpFields(l4, avail, end, firstFragment, out);
  } else if (protocol === IPPROTO_UDP || protocol === IPPROTO_UDPLITE) {
    if (protocol === IPPROTO_UDP && avail < 8) {
      flags |= PF_UNPARSABLE;
    } else {
      // UDP-Lite's header is read as it comes (decodePacket does not reject a short one).
      flags |= PF_PORTS;
      store<u16>(out, <u16>be16At(l4, end), P_SPORT);
      store<u16>(out, <u16>be16At(l4 + 2, end), P_DPORT);
      if (protocol === IPPROTO_UDP) {
        // udp_error: the length field must cover the header and fit in the datagram.
        const udpLen = be16(l4 + 4);
        if (udpLen > avail || udpLen < 8) flags |= PF_BAD_UDP_LENGTH;
      }
    }
  } else if (protocol === IPPROTO_ICMP || protocol === IPPROTO_ICMPV6) {
    if (avail < 8) {
      // icmp_error's "short packet".
      flags |= PF_UNPARSABLE;
    } else {
      const type = <u32>load<u8>(l4);
      flags |= PF_ICMP;
      store<u8>(out, <u8>type, P_ICMP_TYPE);
      store<u8>(out, load<u8>(l4, 1), P_ICMP_CODE);
      if (icmpHasId(protocol, type)) store<u16>(out, <u16>be16(l4 + 4), P_ICMP_ID);
      // An error quotes the offending datagram (decodePacket decides by the IPv4 types even
      // for an ICMPv6 header).
      if (icmpIsError(type) && avail > 8) quotedFields(l4 + 8, end, out);
    }
  }
  // ctPacketOf records a checksum verdict only for the protocols it has a tracker view of.
  const tracked = (flags & (PF_PORTS | PF_ICMP)) !== 0;
  if (verify && tracked && !checksumValid(ip, l4, end, protocol)) flags |= PF_BAD_CHECKSUM;
  store<u32>(out, flags, P_FLAGS);
  return true;
}
