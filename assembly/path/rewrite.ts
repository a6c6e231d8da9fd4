// Rewriting an IPv4 datagram's bytes in place, as the reference engine does (src/wire/manip.ts,
// src/engine/reference/rewrite.ts, Ipv4View.decreaseTtl): NAT's address and port / ICMP id
// rewrite (nf_nat_ipv4_manip_pkt, l4proto_manip_pkt), a connection's rewrite record applied
// (nf_nat_manip_pkt), an ICMP error about a NATed connection (nf_nat_icmp_reply_translation)
// and the forwarding TTL decrement (ip_decrease_ttl). Checksums change incrementally with the
// kernel's arithmetic, never recomputed (but the ICMP error's, which the kernel recomputes), so a
// wrong checksum stays wrong by the same amount. Addresses are numbers (192.0.2.1 = 0xc0000201),
// as in the conntrack records (layout.ts W_ADDR).

import { internetChecksum } from '../checksum';
import {
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
  MANIP_SRC,
  RW_NONE,
  W_ADDR,
  W_KIND,
  W_MANIP,
  W_PRESENT,
  W_VALUE,
} from '../conntrack/layout';
import { be16, be32 } from '../memory';

function put16(p: usize, v: u32): void {
  store<u16>(p, bswap<u16>(<u16>v));
}

function put32(p: usize, v: u32): void {
  store<u32>(p, bswap<u32>(v));
}

/**
 * csum_replace4 / inet_proto_csum_replace4 without CHECKSUM_PARTIAL: ~fold(~(u32)check + ~from
 * + to); the 32-bit complement of the 16-bit field adds a 0xffff word.
 */
export function csumReplace4(check: u32, from: u32, to: u32): u32 {
  const nf = ~from;
  let s: u32 = 0xffff + (~check & 0xffff) + (nf >> 16) + (nf & 0xffff) + (to >> 16) + (to & 0xffff);
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  return ~s & 0xffff;
}

/** inet_proto_csum_replace2: the 16-bit values widened to 32 bits (~from adds a 0xffff word). */
export function inetProtoCsumReplace2(check: u32, from: u32, to: u32): u32 {
  return csumReplace4(check, from & 0xffff, to & 0xffff);
}

/** Query types whose id identifies the "connection" (icmp_manip_pkt, nf_conntrack_proto_icmp.c). */
function icmpQuery(type: u32): bool {
  return type === 0 || type === 8 || (type >= 13 && type <= 18);
}

/** icmp_is_err: the types that quote a datagram (unknown types above 18 count as errors). */
function icmpError(type: u32): bool {
  return type > 18 || (type >= 1 && type <= 7) || (type >= 9 && type <= 12);
}

/**
 * l4proto_manip_pkt at `l4` (protocol `proto`, bytes up to `end`) for a NAT to `port`; the
 * pseudo-header checksums also move from address `from` to `to`. False where the kernel drops
 * the packet (the bytes it must write are missing). Reads and writes in the reference's order:
 * with ihl < 5 the transport header overlaps the IP header.
 */
function manipL4(l4: usize, end: usize, proto: u32, manip: u32, port: u32, from: u32, to: u32): bool {
  const avail = <i32>(end - l4);
  if (proto === IPPROTO_TCP) {
    // tcp_manip_pkt: inside an ICMP error only 8 bytes are there; the port moves, the checksum
    // beyond them is left alone.
    if (avail < 8) return false;
    const at = manip === MANIP_SRC ? l4 : l4 + 2;
    const old = be16(at);
    put16(at, port);
    if (avail < 20) return true;
    put16(l4 + 16, inetProtoCsumReplace2(csumReplace4(be16(l4 + 16), from, to), old, port));
    return true;
  }
  if (proto === IPPROTO_UDP || proto === IPPROTO_UDPLITE) {
    // udp_manip_pkt: an IPv4 UDP checksum of 0 (none) stays 0; UDP-Lite always has one.
    if (avail < 8) return false;
    const at = manip === MANIP_SRC ? l4 : l4 + 2;
    const check = be16(l4 + 6);
    if (check !== 0 || proto === IPPROTO_UDPLITE) {
      const c = inetProtoCsumReplace2(csumReplace4(check, from, to), be16(at), port);
      put16(l4 + 6, c === 0 ? 0xffff : c); // CSUM_MANGLED_0
    }
    put16(at, port);
    return true;
  }
  if (proto === IPPROTO_ICMP) {
    // icmp_manip_pkt as the reference has it: the id takes the value whatever the type (callers
    // pass the current id to keep it; the kernel leaves non-query types alone); no pseudo-header.
    if (avail < 8) return false;
    put16(l4 + 2, inetProtoCsumReplace2(be16(l4 + 2), be16(l4 + 4), port));
    put16(l4 + 4, port);
    return true;
  }
  if (proto === IPPROTO_ICMPV6) {
    // icmpv6_manip_pkt: pseudo-header always, the id of echo request / reply only.
    if (avail < 8) return false;
    let c = csumReplace4(be16(l4 + 2), from, to);
    const type = <u32>load<u8>(l4);
    if (type === 128 || type === 129) {
      c = inetProtoCsumReplace2(c, be16(l4 + 4), port);
      put16(l4 + 4, port);
    }
    put16(l4 + 2, c);
    return true;
  }
  // Other protocols (GRE, SCTP, DCCP not modelled) pass unmodified.
  return true;
}

/**
 * nf_nat_ipv4_manip_pkt: NAT of the IPv4 datagram at `ip` (bytes up to `end`) on side `manip`
 * (MANIP_SRC / MANIP_DST) to address `addr` and `port` (TCP/UDP port or ICMP id; pass the
 * current one to keep it). False, with nothing written, where the kernel drops the packet.
 */
export function natManipIpv4(ip: usize, end: usize, manip: u32, addr: u32, port: u32): bool {
  if (<i32>(end - ip) < 20) return false;
  const l4 = ip + ((<usize>load<u8>(ip) & 15) << 2);
  const at = ip + (manip === MANIP_SRC ? 12 : 16);
  const old = be32(at);
  if (!manipL4(l4, end, <u32>load<u8>(ip, 9), manip, port, old, addr)) return false;
  put16(ip + 10, csumReplace4(be16(ip + 10), old, addr));
  put32(at, addr);
  return true;
}

/**
 * The port (or ICMP id) the datagram at `ip` has on side `manip`, as the reference's decoder
 * gives it (0 where it has none: a later fragment, a protocol without ports, an ICMP non-query).
 * `quoted`: inside an ICMP error, where fewer than 8 transport bytes within tot_len give none.
 * Below 8 bytes before `end` natManipIpv4 writes no port, so 0 serves.
 */
function currentPort(ip: usize, end: usize, manip: u32, quoted: bool): u32 {
  if ((be16(ip + 6) & 0x1fff) !== 0) return 0;
  const l4 = ip + ((<usize>load<u8>(ip) & 15) << 2);
  let dataEnd = end;
  if (quoted) dataEnd = min(end, ip + <usize>be16(ip + 2));
  if (<i32>(dataEnd - l4) < 8) return 0;
  const proto = <u32>load<u8>(ip, 9);
  if (proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_UDPLITE) {
    return be16(manip === MANIP_SRC ? l4 : l4 + 2);
  }
  const type = <u32>load<u8>(l4);
  if (proto === IPPROTO_ICMP) return icmpQuery(type) ? be16(l4 + 4) : 0;
  if (proto === IPPROTO_ICMPV6) return type === 128 || type === 129 ? be16(l4 + 4) : 0;
  return 0;
}

/** applyRewrite: the record at `rw` (layout.ts W_*) applied to the datagram at `ip`. */
function applyRecord(ip: usize, end: usize, rw: usize, quoted: bool): bool {
  if (load<u32>(rw, W_PRESENT) === 0) return true;
  if (<i32>(end - ip) < 20) return false;
  const manip = load<u32>(rw, W_MANIP);
  const port =
    load<u32>(rw, W_KIND) !== RW_NONE ? load<u32>(rw, W_VALUE) : currentPort(ip, end, manip, quoted);
  return natManipIpv4(ip, end, manip, load<u32>(rw, W_ADDR), port);
}

/**
 * nf_nat_manip_pkt with natPacket's record at `rw` (REWRITE_BYTES; W_PRESENT 0: nothing to do,
 * true) on the IPv4 datagram at `ip`, bytes up to `end`. A record without port or id (RW_NONE)
 * keeps the packet's own on that side. False where the kernel drops the packet.
 */
export function applyRewriteRecord(ip: usize, end: usize, rw: usize): bool {
  return applyRecord(ip, end, rw, false);
}

/**
 * nf_nat_icmp_reply_translation for the IPv4 ICMP error at `ip` (bytes up to `end`; the message
 * ends at tot_len): the quoted datagram rewritten by the record at `inner`, the ICMP checksum
 * recomputed over the message, then the outer header rewritten by the record at `outer`. False
 * when there is no decodable quoted datagram or a rewrite fails (nothing written, unless the
 * outer rewrite fails after the inner one).
 */
export function applyIcmpErrorRewrite4(ip: usize, end: usize, inner: usize, outer: usize): bool {
  // The outer datagram as the decoder accepts it: header, options and tot_len present.
  const avail = <i32>(end - ip);
  if (avail < 20 || <u32>load<u8>(ip) >> 4 !== 4) return false;
  const hl = (<i32>load<u8>(ip) & 15) << 2;
  const tot = <i32>be16(ip + 2);
  if (hl < 20 || avail < hl || tot < hl || tot > avail) return false;
  const l4 = ip + <usize>hl;
  const msgEnd = ip + <usize>tot;
  // The reference's decoder reads protocol 58 over IPv4 as ICMP too (its types as ICMP's).
  const proto = <u32>load<u8>(ip, 9);
  if ((proto !== IPPROTO_ICMP && proto !== IPPROTO_ICMPV6) || (be16(ip + 6) & 0x1fff) !== 0) return false;
  if (tot - hl < 8 || !icmpError(<u32>load<u8>(l4))) return false;
  // The quoted datagram: its header and options present, tot_len not below them (the datagram
  // itself may be cut short).
  const q = l4 + 8;
  const qAvail = <i32>(msgEnd - q);
  if (qAvail < 20 || <u32>load<u8>(q) >> 4 !== 4) return false;
  const qhl = (<i32>load<u8>(q) & 15) << 2;
  if (qhl < 20 || qAvail < qhl || <i32>be16(q + 2) < qhl) return false;
  if (!applyRecord(q, msgEnd, inner, true)) return false;
  put16(l4 + 2, 0);
  put16(l4 + 2, internetChecksum(l4, <i32>(msgEnd - l4)));
  return applyRecord(ip, msgEnd, outer, false);
}

/** ip_decrease_ttl: TTL - 1; the checksum read as a little-endian u32 gets htons(0x0100) with end-around carry. */
export function ipDecreaseTtl(ip: usize): u32 {
  let check = <u32>load<u16>(ip, 10);
  check += 1;
  store<u16>(ip, <u16>(check + (check >= 0xffff ? 1 : 0)), 10);
  const ttl = (<u32>load<u8>(ip, 8) - 1) & 0xff;
  store<u8>(ip, <u8>ttl, 8);
  return ttl;
}
