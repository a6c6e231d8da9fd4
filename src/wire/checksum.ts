// The Internet checksum (RFC 1071) and its incremental updates (RFC 1624), with the exact
// arithmetic of the Linux helpers NAT uses, so rewritten packets carry the kernel's bytes.
//
// A one's-complement sum is order- and byte-swap-independent, so it is computed here as a plain
// integer sum of big-endian 16-bit words, folded at the end. Folding a plain sum S gives 0 only for
// S = 0 and otherwise ((S - 1) mod 0xffff) + 1, exactly what the kernel's 32-bit end-around-carry
// adds followed by csum_fold() give; the only place the two zeros (0x0000, 0xffff) differ is
// which terms are present, so each update below lists the kernel's terms literally.

import { get16 } from './bytes.js';

/** Adds the bytes [start, end) as big-endian 16-bit words to `initial` (odd tail padded with 0). Not folded. */
export function sumBytes(buf: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
  return sum;
}

/** Folds a wide sum to 16 bits with end-around carry (csum_fold without the final complement). */
export function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return s;
}

/** The checksum field value for a sum that excludes the field: ~fold(sum). */
export function finishChecksum(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** RFC 1071 checksum of [start, end) plus `initial` (e.g. a pseudo-header sum). */
export function internetChecksum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  return finishChecksum(sumBytes(buf, start, end, initial));
}

/** Sum of the IPv4 pseudo-header (RFC 793/768): addresses, protocol, upper-layer length. */
export function ipv4PseudoSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + (length & 0xffff);
}

/** Sum of the IPv6 pseudo-header (RFC 8200 8.1); addresses read from the packet at srcOff/dstOff. */
export function ipv6PseudoSum(
  buf: Uint8Array,
  srcOff: number,
  dstOff: number,
  protocol: number,
  length: number,
): number {
  return (
    sumBytes(buf, dstOff, dstOff + 16, sumBytes(buf, srcOff, srcOff + 16)) +
    protocol +
    (length >>> 16) +
    (length & 0xffff)
  );
}

/**
 * Checksum of the transport segment [l4Off, l4End) with its checksum field (at l4Off + fieldOffset)
 * taken as zero, plus a pseudo-header sum.
 */
export function segmentChecksum(
  buf: Uint8Array,
  l4Off: number,
  l4End: number,
  fieldOffset: number,
  pseudoSum: number,
): number {
  const sum = sumBytes(buf, l4Off, l4End, pseudoSum) - get16(buf, l4Off + fieldOffset);
  return finishChecksum(sum);
}

/** UDP sends a computed checksum of 0 as 0xffff: 0 on the wire means "no checksum" (RFC 768). */
export function udpWireChecksum(computed: number): number {
  return computed === 0 ? 0xffff : computed;
}

// Incremental updates. `check` is the field as on the wire; from/to are field values as big-endian
// numbers (16-bit or 32-bit words).

/**
 * csum_replace4() and inet_proto_csum_replace4() on a packet without CHECKSUM_PARTIAL
 * (include/net/checksum.h, net/core/utils.c): ~fold(~(u32)check + ~from + to). The 32-bit
 * complement of the 16-bit field contributes an extra 0xffff word.
 */
export function csumReplace4(check: number, from: number, to: number): number {
  const nf = ~from >>> 0;
  const sum = 0xffff + (~check & 0xffff) + (nf >>> 16) + (nf & 0xffff) + (to >>> 16) + (to & 0xffff);
  return finishChecksum(sum);
}

/**
 * inet_proto_csum_replace2(): the 16-bit values are widened to 32 bits and passed to
 * inet_proto_csum_replace4(), so ~from contributes another 0xffff word.
 */
export function inetProtoCsumReplace2(check: number, from: number, to: number): number {
  return csumReplace4(check, from & 0xffff, to & 0xffff);
}

/** csum_replace2(): 16-bit arithmetic only (csum16_add/csum16_sub), no extra words. */
export function csumReplace2(check: number, from: number, to: number): number {
  return finishChecksum((~check & 0xffff) + (~from & 0xffff) + (to & 0xffff));
}

/**
 * The IPv4 header checksum after ip_decrease_ttl() (include/net/ip.h): the kernel adds
 * htons(0x0100) to the checksum read as a host-order u32 and adds 1 when the result is >= 0xffff.
 * Computed here in the little-endian host order the kernel runs on (x86/arm64); the result is the
 * same on big-endian hosts.
 */
export function decreaseTtlChecksum(check: number): number {
  let host = ((check & 0xff) << 8) | (check >>> 8);
  host += 1;
  if (host >= 0xffff) host += 1;
  host &= 0xffff;
  return ((host & 0xff) << 8) | (host >>> 8);
}
