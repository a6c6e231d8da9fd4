// NAT's packet rewrite, byte-exact: nf_nat_ipv4_manip_pkt / nf_nat_ipv6_manip_pkt and the
// per-protocol l4proto_manip_pkt of net/netfilter/nf_nat_proto.c. Checksums are updated
// incrementally, never recomputed, so a packet that arrived with a wrong checksum keeps it wrong
// by the same amount (the kernel test: test/fixtures/wire/kernel-replies.txt, dnat-*-nocheck).

import { get8, get16, get32, put16, put32 } from './bytes.js';
import { csumReplace4, finishChecksum, inetProtoCsumReplace2 } from './checksum.js';
import { ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST } from './icmpv6.js';
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE } from './ipv4.js';
import { Ipv6ExtWalk, walkIpv6Extensions } from './ipv6.js';

/** Which end of the packet NAT rewrites: SNAT/MASQUERADE 'src', DNAT/REDIRECT 'dst'. */
export type ManipType = 'src' | 'dst';

/** inet_proto_csum_replace16() without CHECKSUM_PARTIAL: an IPv6 address in a pseudo-header sum. */
export function inetProtoCsumReplace16(
  check: number,
  buf: Uint8Array,
  fromOff: number,
  to: readonly number[],
): number {
  let sum = 0xffff + (~check & 0xffff);
  for (let i = 0; i < 4; i++) {
    const nf = ~get32(buf, fromOff + 4 * i) >>> 0;
    const t = to[i]! >>> 0;
    sum += (nf >>> 16) + (nf & 0xffff) + (t >>> 16) + (t & 0xffff);
  }
  return finishChecksum(sum);
}

/**
 * Rewrites the transport part at l4Off (protocol `proto`) for a NAT to `port` (TCP/UDP port, or
 * ICMP echo id); `pseudo` applies the address change to a pseudo-header checksum. Returns false
 * where the kernel drops the packet (the bytes it must write are missing).
 */
function manipL4(
  buf: Uint8Array,
  l4Off: number,
  end: number,
  proto: number,
  manip: ManipType,
  port: number,
  pseudo: (check: number) => number,
): boolean {
  const avail = end - l4Off;
  switch (proto) {
    case IPPROTO_TCP: {
      // Inside an ICMP error only 8 bytes are guaranteed: then the port moves but the checksum,
      // which lies beyond them, is left alone.
      if (avail < 8) return false;
      const portOff = manip === 'src' ? l4Off : l4Off + 2;
      const old = get16(buf, portOff);
      put16(buf, portOff, port);
      if (avail < 20) return true;
      put16(buf, l4Off + 16, inetProtoCsumReplace2(pseudo(get16(buf, l4Off + 16)), old, port));
      return true;
    }
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE: {
      if (avail < 8) return false;
      const portOff = manip === 'src' ? l4Off : l4Off + 2;
      const check = get16(buf, l4Off + 6);
      // UDP over IPv4 may carry no checksum (0): udp_manip_pkt leaves it so. UDP-Lite always has one.
      if (check !== 0 || proto === IPPROTO_UDPLITE) {
        const c = inetProtoCsumReplace2(pseudo(check), get16(buf, portOff), port);
        put16(buf, l4Off + 6, c === 0 ? 0xffff : c); // CSUM_MANGLED_0
      }
      put16(buf, portOff, port);
      return true;
    }
    case IPPROTO_ICMP: {
      if (avail < 8) return false;
      // icmp_manip_pkt: the echo id takes the tuple's id in both directions; no pseudo-header.
      put16(buf, l4Off + 2, inetProtoCsumReplace2(get16(buf, l4Off + 2), get16(buf, l4Off + 4), port));
      put16(buf, l4Off + 4, port);
      return true;
    }
    case IPPROTO_ICMPV6: {
      if (avail < 8) return false;
      let c = pseudo(get16(buf, l4Off + 2));
      const type = get8(buf, l4Off);
      if (type === ICMPV6_ECHO_REQUEST || type === ICMPV6_ECHO_REPLY) {
        c = inetProtoCsumReplace2(c, get16(buf, l4Off + 4), port);
        put16(buf, l4Off + 4, port);
      }
      put16(buf, l4Off + 2, c);
      return true;
    }
    default:
      // Unknown protocols (and GRE, SCTP, DCCP: not modelled yet) pass unmodified.
      return true;
  }
}

/**
 * nf_nat_ipv4_manip_pkt(): NAT of the IPv4 packet at ipOff (bytes up to `end` present) to
 * `addr` and `port` (the tuple's port or ICMP id; pass the current one to keep it).
 */
export function natManipIpv4(
  buf: Uint8Array,
  ipOff: number,
  end: number,
  manip: ManipType,
  addr: number,
  port: number,
): boolean {
  if (end - ipOff < 20) return false;
  const l4Off = ipOff + (get8(buf, ipOff) & 0x0f) * 4;
  const addrOff = manip === 'src' ? ipOff + 12 : ipOff + 16;
  const oldAddr = get32(buf, addrOff);
  const pseudo = (c: number) => csumReplace4(c, oldAddr, addr);
  if (!manipL4(buf, l4Off, end, get8(buf, ipOff + 9), manip, port, pseudo)) return false;
  put16(buf, ipOff + 10, csumReplace4(get16(buf, ipOff + 10), oldAddr, addr));
  put32(buf, addrOff, addr);
  return true;
}

const walk = new Ipv6ExtWalk();

/** nf_nat_ipv6_manip_pkt(): as natManipIpv4; the transport is left alone in non-first fragments. */
export function natManipIpv6(
  buf: Uint8Array,
  ipOff: number,
  end: number,
  manip: ManipType,
  addr: readonly number[],
  port: number,
): boolean {
  if (end - ipOff < 40) return false;
  const addrOff = manip === 'src' ? ipOff + 8 : ipOff + 24;
  walkIpv6Extensions(buf, ipOff, end, walk);
  if (walk.error === null && walk.fragmentOffset === 0) {
    const pseudo = (c: number) => inetProtoCsumReplace16(c, buf, addrOff, addr);
    if (!manipL4(buf, walk.upperOffset, end, walk.upperProtocol, manip, port, pseudo)) return false;
  }
  for (let i = 0; i < 4; i++) put32(buf, addrOff + 4 * i, addr[i] ?? 0);
  return true;
}
