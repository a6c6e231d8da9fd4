// Conntrack tuples in scratch memory (struct nf_conntrack_tuple, src/engine/conntrack/tuple.ts):
// from a packet (nf_ct_get_tuple), from an entry's direction, inversion (nf_ct_invert_tuple),
// equality (nf_ct_tuple_equal) and the words the bucket hash covers (tupleWords).

import {
  E_DPORT,
  E_DST,
  E_FLAGS,
  E_ICMP_CODE,
  E_ICMP_TYPE,
  E_PROTO,
  E_SPORT,
  E_SRC,
  EF_IPV6,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
  P_DPORT,
  P_DST,
  P_FLAGS,
  P_ICMP_CODE,
  P_ICMP_ID,
  P_ICMP_TYPE,
  P_PROTO,
  P_SPORT,
  P_SRC,
  PF_ICMP,
  PF_IPV6,
  PF_PORTS,
} from './layout';

// Tuple record: ipv6, protocol, sport (or ICMP id), dport, ICMP type, code, src[4], dst[4].
export const TUPLE_BYTES: u32 = 56;
export const T_IPV6: u32 = 0;
export const T_PROTO: u32 = 4;
export const T_SPORT: u32 = 8;
export const T_DPORT: u32 = 12;
export const T_TYPE: u32 = 16;
export const T_CODE: u32 = 20;
export const T_SRC: u32 = 24;
export const T_DST: u32 = 40;

const HASH_WORDS: usize = memory.data(12 * 4, 16);

export function isIcmp(protocol: u32): bool {
  return protocol === IPPROTO_ICMP || protocol === IPPROTO_ICMPV6;
}

/** nf_ct_get_tuple_ports: protocols whose tuple carries ports. */
export function hasPorts(protocol: u32): bool {
  return (
    protocol === IPPROTO_TCP ||
    protocol === IPPROTO_UDP ||
    protocol === IPPROTO_UDPLITE ||
    protocol === IPPROTO_SCTP
  );
}

function copyAddr(to: usize, from: usize): void {
  store<u64>(to, load<u64>(from));
  store<u64>(to, load<u64>(from, 8), 8);
}

/** packetTuple (core.ts): the packet's own tuple into `t`; false when its layer-4 header is missing. */
export function packetTuple(pkt: usize, t: usize): bool {
  const flags = load<u32>(pkt, P_FLAGS);
  const proto = load<u32>(pkt, P_PROTO);
  store<u32>(t, (flags & PF_IPV6) !== 0 ? 1 : 0, T_IPV6);
  store<u32>(t, proto, T_PROTO);
  copyAddr(t + T_SRC, pkt + P_SRC);
  copyAddr(t + T_DST, pkt + P_DST);
  let sport: u32 = 0;
  let dport: u32 = 0;
  let type: u32 = 0;
  let code: u32 = 0;
  if (hasPorts(proto)) {
    if ((flags & PF_PORTS) === 0) return false;
    sport = load<u16>(pkt, P_SPORT);
    dport = load<u16>(pkt, P_DPORT);
  } else if (isIcmp(proto)) {
    if ((flags & PF_ICMP) === 0) return false;
    sport = load<u16>(pkt, P_ICMP_ID);
    type = load<u8>(pkt, P_ICMP_TYPE);
    code = load<u8>(pkt, P_ICMP_CODE);
  }
  store<u32>(t, sport, T_SPORT);
  store<u32>(t, dport, T_DPORT);
  store<u32>(t, type, T_TYPE);
  store<u32>(t, code, T_CODE);
  return true;
}

/** The inverse ICMP / ICMPv6 query type (the invmap tables), or -1 when there is none. */
function icmpInverse(protocol: u32, type: u32): i32 {
  if (protocol === IPPROTO_ICMP) {
    switch (type) {
      case 8:
        return 0;
      case 0:
        return 8;
      case 13:
        return 14;
      case 14:
        return 13;
      case 15:
        return 16;
      case 16:
        return 15;
      case 17:
        return 18;
      case 18:
        return 17;
      default:
        return -1;
    }
  }
  switch (type) {
    case 128:
      return 129;
    case 129:
      return 128;
    case 139:
      return 140;
    case 140:
      return 139;
    default:
      return -1;
  }
}

/** invertTuple (nf_ct_invert_tuple): `from` inverted into `to` (distinct); false if not invertible. */
export function invertTuple(from: usize, to: usize): bool {
  const proto = load<u32>(from, T_PROTO);
  store<u32>(to, load<u32>(from, T_IPV6), T_IPV6);
  store<u32>(to, proto, T_PROTO);
  copyAddr(to + T_SRC, from + T_DST);
  copyAddr(to + T_DST, from + T_SRC);
  store<u32>(to, load<u32>(from, T_CODE), T_CODE);
  if (isIcmp(proto)) {
    const inverse = icmpInverse(proto, load<u32>(from, T_TYPE));
    if (inverse < 0) return false;
    store<u32>(to, <u32>inverse, T_TYPE);
    store<u32>(to, load<u32>(from, T_SPORT), T_SPORT);
    store<u32>(to, load<u32>(from, T_DPORT), T_DPORT);
    return true;
  }
  store<u32>(to, load<u32>(from, T_TYPE), T_TYPE);
  store<u32>(to, load<u32>(from, T_DPORT), T_SPORT);
  store<u32>(to, load<u32>(from, T_SPORT), T_DPORT);
  return true;
}

/** An entry's original tuple into `t`. */
export function entryOriginal(e: usize, t: usize): void {
  store<u32>(t, (load<u8>(e, E_FLAGS) & EF_IPV6) !== 0 ? 1 : 0, T_IPV6);
  store<u32>(t, load<u8>(e, E_PROTO), T_PROTO);
  store<u32>(t, load<u16>(e, E_SPORT), T_SPORT);
  store<u32>(t, load<u16>(e, E_DPORT), T_DPORT);
  store<u32>(t, load<u8>(e, E_ICMP_TYPE), T_TYPE);
  store<u32>(t, load<u8>(e, E_ICMP_CODE), T_CODE);
  if ((load<u8>(e, E_FLAGS) & EF_IPV6) !== 0) {
    copyAddr(t + T_SRC, e + E_SRC);
    copyAddr(t + T_DST, e + E_DST);
  } else {
    // IPv4-compact: words 1-3 hold NAT data (nat-store.ts).
    store<u64>(t + T_SRC, <u64>load<u32>(e, E_SRC));
    store<u64>(t + T_SRC, 0, 8);
    store<u64>(t + T_DST, <u64>load<u32>(e, E_DST));
    store<u64>(t + T_DST, 0, 8);
  }
}

/** Stores tuple `t` as an entry's original tuple. */
export function setEntryOriginal(e: usize, t: usize): void {
  let f = load<u8>(e, E_FLAGS) & ~EF_IPV6;
  if (load<u32>(t, T_IPV6) !== 0) f |= EF_IPV6;
  store<u8>(e, f, E_FLAGS);
  store<u8>(e, <u8>load<u32>(t, T_PROTO), E_PROTO);
  store<u16>(e, <u16>load<u32>(t, T_SPORT), E_SPORT);
  store<u16>(e, <u16>load<u32>(t, T_DPORT), E_DPORT);
  store<u8>(e, <u8>load<u32>(t, T_TYPE), E_ICMP_TYPE);
  store<u8>(e, <u8>load<u32>(t, T_CODE), E_ICMP_CODE);
  if ((f & EF_IPV6) !== 0) {
    copyAddr(e + E_SRC, t + T_SRC);
    copyAddr(e + E_DST, t + T_DST);
  } else {
    store<u32>(e, load<u32>(t, T_SRC), E_SRC);
    store<u32>(e, load<u32>(t, T_DST), E_DST);
  }
}

/** tupleEqual (nf_ct_tuple_equal). */
export function tupleEqual(a: usize, b: usize): bool {
  for (let o: usize = 0; o < <usize>TUPLE_BYTES; o += 8) {
    if (load<u64>(a + o) !== load<u64>(b + o)) return false;
  }
  return true;
}

/** jhash2 input (tupleWords): src, dst (1 or 4 words each), ports, proto/type/code, zone. */
export function tupleHashWords(t: usize, zone: u32): usize {
  const n: usize = load<u32>(t, T_IPV6) !== 0 ? 4 : 1;
  let p = HASH_WORDS;
  for (let i: usize = 0; i < n; i++) {
    store<u32>(p, load<u32>(t + T_SRC + (i << 2)));
    p += 4;
  }
  for (let i: usize = 0; i < n; i++) {
    store<u32>(p, load<u32>(t + T_DST + (i << 2)));
    p += 4;
  }
  store<u32>(p, (load<u32>(t, T_SPORT) << 16) | load<u32>(t, T_DPORT));
  store<u32>(p, (load<u32>(t, T_PROTO) << 16) | (load<u32>(t, T_TYPE) << 8) | load<u32>(t, T_CODE), 4);
  store<u32>(p, zone, 8);
  return HASH_WORDS;
}

/**
 * tupleHashWords of an IPv4 TCP or UDP tuple given by its header words (ports: sport << 16 |
 * dport), without building the tuple (5 words, as tupleHashLength says of an IPv4 tuple).
 */
export function ipv4PortsHashWords(src: u32, dst: u32, ports: u32, protocol: u32, zone: u32): usize {
  store<u32>(HASH_WORDS, src);
  store<u32>(HASH_WORDS, dst, 4);
  store<u32>(HASH_WORDS, ports, 8);
  store<u32>(HASH_WORDS, protocol << 16, 12);
  store<u32>(HASH_WORDS, zone, 16);
  return HASH_WORDS;
}

/** Number of words tupleHashWords wrote. */
export function tupleHashLength(t: usize): u32 {
  return load<u32>(t, T_IPV6) !== 0 ? 11 : 5;
}
