// The ICMP messages the kernel itself sends (net/ipv4/icmp.c), as opposed to REJECT's:
// - __icmp_send: errors about a received or forwarded packet (time exceeded from ip_forward,
//   destination unreachable from ip_error and for unknown protocols);
// - icmp_echo / icmp_reply: the answer to a ping addressed to the host;
// - the rate limits that apply to them: icmpv4_xrlim_allow's per-destination token bucket
//   (inet_peer_xrlim_allow) and ip_error's own bucket on the same peer entry.

import { get8, get16, put8, put16 } from '../../wire/bytes.js';
import { isIcmpError, writeIcmpHeader } from '../../wire/icmp.js';
import { IP_OFFSET, IPPROTO_ICMP, writeIpv4Header } from '../../wire/ipv4.js';

const ICMP_HEADER_LEN = 8;
const NR_ICMP_TYPES = 18;

export interface IcmpErrorOptions {
  /** Source address the kernel picked (the offending packet's destination, or the route's). */
  readonly src: number;
  /** IP id (ip_select_ident: the kernel's random choice). */
  readonly id: number;
  /** MTU of the route the error leaves by. */
  readonly mtu: number;
  /** sysctl ip_default_ttl. */
  readonly ttl: number;
  /** The header's last 4 bytes (__icmp_send's info): the next-hop MTU of fragmentation needed. */
  readonly info?: number;
}

/**
 * __icmp_send's error about the IPv4 packet `bytes`, or why none is sent: never about a
 * non-first fragment or an ICMP error (or an ICMP message of an unknown type); the offending
 * datagram is quoted from its IP header, as much as fits in 576 bytes (or the route's MTU);
 * tos = RT_TOS(tos) | IPTOS_PREC_INTERNETCONTROL; no DF (the ICMP socket's IP_PMTUDISC_DONT).
 * IP options are not echoed (ip_options_echo) — nfwasm's traces carry none so far.
 */
export function icmpError4(
  bytes: Uint8Array,
  type: number,
  code: number,
  o: IcmpErrorOptions,
): { readonly packet: Uint8Array } | { readonly none: string } {
  if ((get16(bytes, 6) & IP_OFFSET) !== 0) return { none: 'non-first fragment' };
  const hl = (get8(bytes, 0) & 0x0f) * 4;
  const len = get16(bytes, 2);
  if (get8(bytes, 9) === IPPROTO_ICMP) {
    if (len < hl + 1) return { none: 'truncated ICMP header' };
    const inner = get8(bytes, hl);
    if (inner > NR_ICMP_TYPES || isIcmpError(inner)) return { none: 'no ICMP error about an ICMP error' };
  }
  const room = Math.min(o.mtu, 576) - 20 - ICMP_HEADER_LEN;
  const quoted = Math.min(len, room);
  const total = 20 + ICMP_HEADER_LEN + quoted;
  const out = new Uint8Array(total);
  out.set(bytes.subarray(0, quoted), 28);
  writeIcmpHeader(out, 20, type, code, o.info ?? 0, total);
  writeIpv4Header(out, 0, {
    tos: (get8(bytes, 1) & 0x1e) | 0xc0,
    totalLength: total,
    id: o.id,
    ttl: o.ttl,
    protocol: IPPROTO_ICMP,
    src: o.src,
    dst: (get16(bytes, 12) * 0x10000 + get16(bytes, 14)) >>> 0,
  });
  return { packet: out };
}

/**
 * icmp_echo → icmp_reply: the echo reply carries the request's ICMP message with type 0 (code,
 * id, sequence and data kept), a fresh checksum; IP from the request's destination to its
 * source, the request's TOS, no DF, the default TTL.
 */
export function icmpEchoReply4(
  request: Uint8Array,
  o: { readonly id: number; readonly ttl: number },
): Uint8Array {
  const hl = (get8(request, 0) & 0x0f) * 4;
  const len = get16(request, 2);
  const msg = request.subarray(hl, len);
  const out = new Uint8Array(20 + msg.length);
  out.set(msg, 20);
  put8(out, 20, 0);
  put16(out, 22, 0);
  writeIcmpHeader(out, 20, 0, get8(msg, 1), (get16(msg, 4) * 0x10000 + get16(msg, 6)) >>> 0, out.length);
  writeIpv4Header(out, 0, {
    tos: get8(request, 1),
    totalLength: out.length,
    id: o.id,
    ttl: o.ttl,
    protocol: IPPROTO_ICMP,
    src: (get16(request, 16) * 0x10000 + get16(request, 18)) >>> 0,
    dst: (get16(request, 12) * 0x10000 + get16(request, 14)) >>> 0,
  });
  return out;
}

const NS_PER_MS = 1_000_000n;

/**
 * The inet_peer rate state of one remote address (rate_tokens, rate_last), in nanoseconds of
 * packet time instead of jiffies. A new peer starts 60 s in the past with no tokens, so its
 * first bucket is full.
 */
interface PeerRate {
  tokens: bigint;
  last: bigint;
}

/** icmp_ratelimit's and ip_error's token buckets, per destination address (net->ipv4.peers). */
export class IcmpRateLimiter {
  private readonly peers = new Map<number, PeerRate>();

  constructor(
    /** sysctl net.ipv4.icmp_ratelimit (ms). */
    private readonly ratelimitMs: number,
    /** sysctl net.ipv4.icmp_ratemask: the ICMP types that are limited. */
    private readonly ratemask: number,
  ) {}

  private peer(addr: number, now: bigint): PeerRate {
    let p = this.peers.get(addr);
    if (!p) {
      p = { tokens: 0n, last: now - 60_000n * NS_PER_MS };
      this.peers.set(addr, p);
    }
    return p;
  }

  /**
   * icmpv4_xrlim_allow: unlimited types (not in icmp_ratemask), fragmentation needed, and
   * errors leaving by the loopback device always pass; others spend icmp_ratelimit ms of
   * tokens from a bucket of XRLIM_BURST_FACTOR (6) times that (inet_peer_xrlim_allow).
   */
  allow(dst: number, type: number, code: number, viaLoopback: boolean, now: bigint): boolean {
    if (type > NR_ICMP_TYPES) return true;
    if (type === 3 && code === 4) return true;
    if (viaLoopback) return true;
    if (((1 << type) & this.ratemask) === 0) return true;
    const timeout = BigInt(this.ratelimitMs) * NS_PER_MS;
    if (timeout === 0n) return true;
    return this.spend(this.peer(dst, now), now, timeout, 6n * timeout);
  }

  /** ip_error's bucket: ip_rt_error_cost (1 s) per error, ip_rt_error_burst (5 s) at most. */
  allowRouteError(src: number, now: bigint): boolean {
    const second = 1000n * NS_PER_MS;
    return this.spend(this.peer(src, now), now, second, 5n * second);
  }

  private spend(p: PeerRate, now: bigint, cost: bigint, burst: bigint): boolean {
    let tokens = p.tokens + (now - p.last);
    p.last = now;
    if (tokens > burst) tokens = burst;
    const ok = tokens >= cost;
    if (ok) tokens -= cost;
    p.tokens = tokens;
    return ok;
  }
}
