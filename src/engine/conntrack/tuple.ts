// Conntrack tuples (struct nf_conntrack_tuple): what identifies one direction of a connection,
// their inversion (nf_ct_invert_tuple) and a string key for the hash table.
//
// The kernel packs the layer-4 part into two 16-bit unions: src.u (source port or ICMP id) and
// dst.u (destination port, or ICMP type and code). They are spelled out here.

import type { Family } from '../../ir/address.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_GRE = 47;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_SCTP = 132;
export const IPPROTO_UDPLITE = 136;

export type Direction = 'original' | 'reply';

export function otherDirection(dir: Direction): Direction {
  return dir === 'original' ? 'reply' : 'original';
}

export interface Tuple {
  readonly family: Family;
  readonly protocol: number;
  /** Address words (1 for IPv4, 4 for IPv6), big-endian word order. */
  readonly src: readonly number[];
  readonly dst: readonly number[];
  /** src.u: the source port, or the ICMP echo id; 0 when the protocol has neither. */
  readonly sport: number;
  /** dst.u: the destination port; 0 for ICMP and portless protocols. */
  readonly dport: number;
  /** dst.u.icmp.type and .code; 0 for non-ICMP protocols. */
  readonly icmpType: number;
  readonly icmpCode: number;
}

export function isIcmp(protocol: number): boolean {
  return protocol === IPPROTO_ICMP || protocol === IPPROTO_ICMPV6;
}

/** Protocols whose tuple carries ports (nf_ct_get_tuple_ports). */
export function hasPorts(protocol: number): boolean {
  return (
    protocol === IPPROTO_TCP ||
    protocol === IPPROTO_UDP ||
    protocol === IPPROTO_UDPLITE ||
    protocol === IPPROTO_SCTP
  );
}

// nf_conntrack_invert_icmp_tuple's invmap: request <-> reply for the query types.
const ICMP_INVERSE: Readonly<Record<number, number>> = {
  8: 0, // echo -> echo reply
  0: 8,
  13: 14, // timestamp
  14: 13,
  15: 16, // information request
  16: 15,
  17: 18, // address mask
  18: 17,
};

// nf_conntrack_invert_icmpv6_tuple's invmap.
const ICMPV6_INVERSE: Readonly<Record<number, number>> = {
  128: 129, // echo request -> echo reply
  129: 128,
  139: 140, // node information query -> reply
  140: 139,
};

/**
 * nf_ct_invert_tuple: the tuple of the opposite direction, or null when the kernel can't
 * invert it (an ICMP type without a reply type), which makes the packet untrackable.
 */
export function invertTuple(t: Tuple): Tuple | null {
  if (isIcmp(t.protocol)) {
    const table = t.protocol === IPPROTO_ICMP ? ICMP_INVERSE : ICMPV6_INVERSE;
    const inverse = table[t.icmpType];
    if (inverse === undefined) return null;
    return { ...t, src: t.dst, dst: t.src, icmpType: inverse };
  }
  return { ...t, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

/** Like invertTuple, for tuples known to be invertible (those stored in an entry). */
export function mustInvert(t: Tuple): Tuple {
  const inv = invertTuple(t);
  if (!inv) throw new Error('conntrack: tuple of a tracked connection is not invertible');
  return inv;
}

function addrEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]! >>> 0 !== b[i]! >>> 0) return false;
  return true;
}

export function addressEqual(a: readonly number[], b: readonly number[]): boolean {
  return addrEqual(a, b);
}

/** nf_ct_tuple_equal. */
export function tupleEqual(a: Tuple, b: Tuple): boolean {
  return (
    a.family === b.family &&
    a.protocol === b.protocol &&
    a.sport === b.sport &&
    a.dport === b.dport &&
    a.icmpType === b.icmpType &&
    a.icmpCode === b.icmpCode &&
    addrEqual(a.src, b.src) &&
    addrEqual(a.dst, b.dst)
  );
}

/** Hash-table key of a tuple in a zone (the kernel hashes zone id and tuple together). */
export function tupleKey(t: Tuple, zone: number): string {
  return `${zone}|${t.family}|${t.protocol}|${t.src.join('.')}|${t.dst.join('.')}|${t.sport}|${t.dport}|${t.icmpType}|${t.icmpCode}`;
}

/** The 32-bit words the table's bucket hash covers (a deterministic stand-in for siphash). */
export function tupleWords(t: Tuple, zone: number): number[] {
  return [
    ...t.src,
    ...t.dst,
    ((t.sport << 16) | t.dport) >>> 0,
    ((t.protocol << 16) | (t.icmpType << 8) | t.icmpCode) >>> 0,
    zone >>> 0,
  ];
}

/** Compact text like `conntrack -L` prints: `src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2`. */
export function formatTuple(t: Tuple): string {
  const addr = (w: readonly number[]): string =>
    t.family === 'ipv4'
      ? [w[0]! >>> 24, (w[0]! >>> 16) & 0xff, (w[0]! >>> 8) & 0xff, w[0]! & 0xff].join('.')
      : w.map((x) => `${(x >>> 16).toString(16)}:${(x & 0xffff).toString(16)}`).join(':');
  const base = `src=${addr(t.src)} dst=${addr(t.dst)}`;
  if (isIcmp(t.protocol)) return `${base} type=${t.icmpType} code=${t.icmpCode} id=${t.sport}`;
  if (hasPorts(t.protocol)) return `${base} sport=${t.sport} dport=${t.dport}`;
  return base;
}
