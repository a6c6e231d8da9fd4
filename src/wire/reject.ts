// The REJECT target's replies, built as the kernel builds them (checked against Linux 6.18 in
// test/fixtures/wire/kernel-replies.txt).
//
// TCP RST, IPv4 — nf_send_reset() / nf_reject_iphdr_put() / nf_reject_ip_tcphdr_put()
// (net/ipv4/netfilter/nf_reject_ipv4.c):
//   - no reply to a non-first fragment, a non-TCP packet, a truncated TCP header, a RST, or a
//     segment whose TCP checksum is wrong (nf_ip_checksum); nor to a broadcast/multicast route
//     (the caller's routing decision);
//   - IP: tos 0, id 0, DF, TTL = the route's hop limit (sysctl ip_default_ttl, 64), addresses
//     swapped, no options; ip_local_out() fills tot_len and the header checksum;
//   - TCP: ports swapped, 20-byte header, window 0; if the offending segment had ACK:
//     seq = its ack_seq, flags RST; else seq 0, ack_seq = seq + SYN + FIN + payload length
//     (mod 2^32), flags RST|ACK.
// TCP RST, IPv6 — nf_send_reset6(): the same, with traffic class 0, flow label 0, hop limit of
//   the route (64), and no reply unless both addresses are unicast.
// ICMP unreachable, IPv4 — nf_send_unreach() → icmp_send() (net/ipv4/icmp.c):
//   - no reply to a non-first fragment, to a packet whose checksum is wrong (TCP, ICMP and UDP
//     with a non-zero checksum are verified: nf_reject_verify_csum), or to an ICMP error;
//   - IP: tos = (tos & 0x1e) | 0xc0 (RT_TOS | IPTOS_PREC_INTERNETCONTROL), id from the kernel's
//     ip_select_ident (not predictable: a parameter), no DF (the ICMP socket uses
//     IP_PMTUDISC_DONT), TTL 64, source = the rejected packet's destination when that is a
//     local address (else the routing decision's source: a parameter);
//   - ICMP type 3 with the code, unused word 0, then the offending datagram from its IP header,
//     as much as fits in 576 bytes: min(len, min(mtu, 576) - 20 - 8) bytes.
//   - The kernel also rate-limits these (icmp_ratelimit, icmp_msgs_per_sec) and echoes IP
//     options: neither is modelled here.
// ICMPv6 unreachable — nf_send_unreach6() → icmpv6_send(): no reply to a non-first fragment or
//   a bad checksum; traffic class 0, flow label chosen by the kernel (a parameter), hop limit 64;
//   quotes as much as fits in the IPv6 minimum MTU: min(len, 1280 - 40 - 8) bytes.

import { get8, get16, get32 } from './bytes.js';
import { fold, ipv4PseudoSum, ipv6PseudoSum, segmentChecksum, sumBytes } from './checksum.js';
import { ICMP_DEST_UNREACH, ICMP_HEADER_LEN, isIcmpError, writeIcmpHeader } from './icmp.js';
import { ICMPV6_DEST_UNREACH, isIcmpv6Error, writeIcmpv6Header } from './icmpv6.js';
import {
  IP_DF,
  IP_OFFSET,
  IPPROTO_AH,
  IPPROTO_ESP,
  IPPROTO_GRE,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
  Ipv4View,
  writeIpv4Header,
} from './ipv4.js';
import { Ipv6ExtWalk, Ipv6View, walkIpv6Extensions, writeIpv6Header } from './ipv6.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, TcpView, writeTcpHeader } from './tcp.js';

/** A reply's IP packet, or why the kernel sends none. */
export type RejectResult = { readonly packet: Uint8Array } | { readonly none: string };

export interface RejectOptions {
  /** TTL / hop limit of the reply (the route's; default 64). */
  readonly ttl?: number;
  /** Whether the kernel trusts the packet's checksum without checking (skb_csum_unnecessary, e.g. locally generated). */
  readonly checksumTrusted?: boolean;
}

export interface Icmp4RejectOptions extends RejectOptions {
  /** IP id the kernel picked (ip_select_ident). */
  readonly id?: number;
  /** Source address when the rejected packet was not addressed to this host. */
  readonly src?: number;
  /** MTU of the reply route (default 1500). */
  readonly mtu?: number;
}

export interface Icmp6RejectOptions extends RejectOptions {
  readonly flowLabel?: number;
  /** Source address words when the rejected packet was not addressed to this host. */
  readonly src?: readonly number[];
}

/** nf_reject_verify_csum(): whether the transport checksum must be right for a reply to go out. */
export function rejectVerifiesChecksum(proto: number, udpChecksum: number): boolean {
  switch (proto) {
    case IPPROTO_UDP:
      return udpChecksum !== 0;
    case IPPROTO_GRE:
    case IPPROTO_AH:
    case IPPROTO_ESP:
    case IPPROTO_SCTP:
    case IPPROTO_UDPLITE:
      return false;
    default:
      return true;
  }
}

/** Whether the transport segment [l4Off, end) sums to zero with `pseudo` (ICMP: pseudo = 0). */
function transportChecksumOk(buf: Uint8Array, l4Off: number, end: number, pseudo: number): boolean {
  return fold(sumBytes(buf, l4Off, end, pseudo)) === 0xffff;
}

const ip4 = new Ipv4View(new Uint8Array(0));
const ip6 = new Ipv6View(new Uint8Array(0));
const tcp = new TcpView(new Uint8Array(0));
const walk = new Ipv6ExtWalk();

function ip4TransportOk(buf: Uint8Array, v: Ipv4View, end: number): boolean {
  const l4 = v.payloadOffset;
  const proto = v.protocol;
  if (!rejectVerifiesChecksum(proto, get16(buf, l4 + 6))) return true;
  const pseudo = proto === IPPROTO_ICMP ? 0 : ipv4PseudoSum(v.src, v.dst, proto, end - l4);
  return transportChecksumOk(buf, l4, end, pseudo);
}

/** RST for the IPv4 TCP segment at ipOff of `buf`. */
export function rejectTcpReset4(buf: Uint8Array, ipOff: number, opts: RejectOptions = {}): RejectResult {
  const v = ip4.reset(buf, ipOff, buf.length);
  const bad = v.check();
  if (bad) return { none: bad };
  if (v.fragmentOffset !== 0) return { none: 'non-first fragment' };
  if (v.protocol !== IPPROTO_TCP) return { none: 'not tcp' };
  const end = ipOff + v.totalLength;
  const t = tcp.reset(buf, v.payloadOffset, end);
  if (end - t.off < 20) return { none: 'tcp header truncated' };
  if (t.rst) return { none: 'no RST for a RST' };
  if (!opts.checksumTrusted && !ip4TransportOk(buf, v, end)) return { none: 'bad tcp checksum' };
  const out = new Uint8Array(40);
  writeIpv4Header(out, 0, {
    totalLength: 40,
    fragField: IP_DF,
    ttl: opts.ttl ?? 64,
    protocol: IPPROTO_TCP,
    src: v.dst,
    dst: v.src,
  });
  writeRst(out, 20, t, end - t.off);
  const pseudo = ipv4PseudoSum(v.dst, v.src, IPPROTO_TCP, 20);
  out[36] = 0;
  const c = segmentChecksum(out, 20, 40, 16, pseudo);
  out[36] = c >>> 8;
  out[37] = c & 0xff;
  return { packet: out };
}

/** The RST header for the segment `t` of `segLen` bytes, checksum left 0. */
function writeRst(out: Uint8Array, off: number, t: TcpView, segLen: number): void {
  const flags = t.flags;
  const hasAck = (flags & TCP_ACK) !== 0;
  const payload = segLen - t.headerLength;
  writeTcpHeader(out, off, {
    srcPort: t.dstPort,
    dstPort: t.srcPort,
    seq: hasAck ? t.ack : 0,
    ack: hasAck ? 0 : (t.seq + (flags & TCP_SYN ? 1 : 0) + (flags & TCP_FIN ? 1 : 0) + payload) >>> 0,
    flags: hasAck ? TCP_RST : TCP_RST | TCP_ACK,
  });
}

/** ICMP destination-unreachable `code` for the IPv4 packet at ipOff of `buf`. */
export function rejectIcmpUnreach4(
  buf: Uint8Array,
  ipOff: number,
  code: number,
  opts: Icmp4RejectOptions = {},
): RejectResult {
  const v = ip4.reset(buf, ipOff, buf.length);
  const bad = v.check();
  if (bad) return { none: bad };
  if ((v.fragField & IP_OFFSET) !== 0) return { none: 'non-first fragment' };
  const end = ipOff + v.totalLength;
  if (!opts.checksumTrusted && !ip4TransportOk(buf, v, end)) return { none: 'bad transport checksum' };
  if (v.protocol === IPPROTO_ICMP) {
    if (end - v.payloadOffset < 1) return { none: 'icmp type missing' };
    if (isIcmpError(get8(buf, v.payloadOffset))) return { none: 'no ICMP error about an ICMP error' };
  }
  const room = Math.min(opts.mtu ?? 1500, 576) - 20 - ICMP_HEADER_LEN;
  const quoted = Math.min(end - ipOff, room);
  const total = 20 + ICMP_HEADER_LEN + quoted;
  const out = new Uint8Array(total);
  out.set(buf.subarray(ipOff, ipOff + quoted), 28);
  writeIcmpHeader(out, 20, ICMP_DEST_UNREACH, code, 0, total);
  writeIpv4Header(out, 0, {
    tos: (v.tos & 0x1e) | 0xc0,
    totalLength: total,
    id: opts.id ?? 0,
    ttl: opts.ttl ?? 64,
    protocol: IPPROTO_ICMP,
    src: opts.src ?? v.dst,
    dst: v.src,
  });
  return { packet: out };
}

function isUnicast6(buf: Uint8Array, o: number): boolean {
  // Not multicast (ff00::/8) and not the unspecified address.
  if (get8(buf, o) === 0xff) return false;
  return (get32(buf, o) | get32(buf, o + 4) | get32(buf, o + 8) | get32(buf, o + 12)) !== 0;
}

function ip6TransportOk(buf: Uint8Array, v: Ipv6View, l4Off: number, proto: number, end: number): boolean {
  if (!rejectVerifiesChecksum(proto, get16(buf, l4Off + 6))) return true;
  return transportChecksumOk(
    buf,
    l4Off,
    end,
    ipv6PseudoSum(buf, v.srcOffset, v.dstOffset, proto, end - l4Off),
  );
}

function words(buf: Uint8Array, o: number): number[] {
  return [get32(buf, o), get32(buf, o + 4), get32(buf, o + 8), get32(buf, o + 12)];
}

/** RST for the IPv6 TCP segment at ipOff of `buf`. */
export function rejectTcpReset6(buf: Uint8Array, ipOff: number, opts: RejectOptions = {}): RejectResult {
  const v = ip6.reset(buf, ipOff, buf.length);
  const bad = v.check();
  if (bad) return { none: bad };
  if (!isUnicast6(buf, v.srcOffset) || !isUnicast6(buf, v.dstOffset))
    return { none: 'address is not unicast' };
  const end = ipOff + 40 + v.payloadLength;
  walkIpv6Extensions(buf, ipOff, end, walk);
  if (walk.error) return { none: walk.error };
  if (walk.upperProtocol !== IPPROTO_TCP) return { none: 'not tcp' };
  if (walk.fragmentOffset !== 0) return { none: 'non-first fragment' };
  const t = tcp.reset(buf, walk.upperOffset, end);
  if (end - t.off < 20) return { none: 'tcp header truncated' };
  if (t.rst) return { none: 'no RST for a RST' };
  if (!opts.checksumTrusted && !ip6TransportOk(buf, v, t.off, IPPROTO_TCP, end))
    return { none: 'bad tcp checksum' };
  const out = new Uint8Array(60);
  writeIpv6Header(out, 0, {
    payloadLength: 20,
    nextHeader: IPPROTO_TCP,
    hopLimit: opts.ttl ?? 64,
    src: words(buf, v.dstOffset),
    dst: words(buf, v.srcOffset),
  });
  writeRst(out, 40, t, end - t.off);
  const c = segmentChecksum(out, 40, 60, 16, ipv6PseudoSum(out, 8, 24, IPPROTO_TCP, 20));
  out[56] = c >>> 8;
  out[57] = c & 0xff;
  return { packet: out };
}

/** ICMPv6 destination-unreachable `code` for the IPv6 packet at ipOff of `buf`. */
export function rejectIcmpUnreach6(
  buf: Uint8Array,
  ipOff: number,
  code: number,
  opts: Icmp6RejectOptions = {},
): RejectResult {
  const v = ip6.reset(buf, ipOff, buf.length);
  const bad = v.check();
  if (bad) return { none: bad };
  const end = ipOff + 40 + v.payloadLength;
  walkIpv6Extensions(buf, ipOff, end, walk);
  if (walk.error || walk.upperOffset >= end) return { none: walk.error ?? 'no transport header' };
  if (walk.fragmentOffset !== 0) return { none: 'non-first fragment' };
  const proto = walk.upperProtocol;
  if (!opts.checksumTrusted && !ip6TransportOk(buf, v, walk.upperOffset, proto, end))
    return { none: 'bad transport checksum' };
  if (proto === IPPROTO_ICMPV6 && isIcmpv6Error(get8(buf, walk.upperOffset)))
    return { none: 'no ICMPv6 error about an ICMPv6 error' };
  if (!isUnicast6(buf, v.srcOffset)) return { none: 'source is not unicast' };
  const quoted = Math.min(end - ipOff, 1280 - 40 - 8);
  const total = 48 + quoted;
  const out = new Uint8Array(total);
  writeIpv6Header(out, 0, {
    flowLabel: opts.flowLabel ?? 0,
    payloadLength: total - 40,
    nextHeader: IPPROTO_ICMPV6,
    hopLimit: opts.ttl ?? 64,
    src: opts.src ?? words(buf, v.dstOffset),
    dst: words(buf, v.srcOffset),
  });
  out.set(buf.subarray(ipOff, ipOff + quoted), 48);
  writeIcmpv6Header(
    out,
    40,
    ICMPV6_DEST_UNREACH,
    code,
    0,
    total,
    ipv6PseudoSum(out, 8, 24, IPPROTO_ICMPV6, total - 40),
  );
  return { packet: out };
}
