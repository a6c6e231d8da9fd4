// IPv4 header (RFC 791). check() applies the same structural tests as the kernel's
// ip_rcv_core() (net/ipv4/ip_input.c): version 4, ihl >= 5, the header and tot_len present,
// tot_len >= header length. The kernel also drops a bad header checksum there, before any
// netfilter hook sees the packet: checksumValid() is that test.

import { ByteView } from './byte-view.js';
import { get8, get16, get32, put8, put16, put32 } from './bytes.js';
import {
  csumReplace4,
  decreaseTtlChecksum,
  finishChecksum,
  fold,
  internetChecksum,
  sumBytes,
} from './checksum.js';

export const IPV4_MIN_HEADER_LEN = 20;
export const IP_RF = 0x8000;
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFSET = 0x1fff;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_GRE = 47;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_SCTP = 132;
export const IPPROTO_UDPLITE = 136;

export class Ipv4View extends ByteView {
  /** null when the header is well formed and the datagram is all there; otherwise why not. */
  check(): string | null {
    const avail = this.end - this.off;
    if (avail < IPV4_MIN_HEADER_LEN) return `ipv4 header truncated (${avail} of 20 bytes)`;
    if (this.version !== 4) return `ipv4 version is ${this.version}`;
    const hl = this.headerLength;
    if (hl < IPV4_MIN_HEADER_LEN) return `ipv4 ihl ${this.ihl} < 5`;
    if (avail < hl) return `ipv4 options truncated (${avail} of ${hl} bytes)`;
    const tot = this.totalLength;
    if (tot < hl) return `ipv4 total length ${tot} < header length ${hl}`;
    if (tot > avail) return `ipv4 datagram truncated (total length ${tot}, ${avail} bytes present)`;
    return null;
  }

  get version(): number {
    return get8(this.buf, this.off) >>> 4;
  }
  get ihl(): number {
    return get8(this.buf, this.off) & 0x0f;
  }
  get headerLength(): number {
    return (get8(this.buf, this.off) & 0x0f) * 4;
  }
  get optionsLength(): number {
    return Math.max(0, this.headerLength - IPV4_MIN_HEADER_LEN);
  }
  get tos(): number {
    return get8(this.buf, this.off + 1);
  }
  set tos(v: number) {
    put8(this.buf, this.off + 1, v);
  }
  get dscp(): number {
    return this.tos >>> 2;
  }
  get ecn(): number {
    return this.tos & 3;
  }
  get totalLength(): number {
    return get16(this.buf, this.off + 2);
  }
  set totalLength(v: number) {
    put16(this.buf, this.off + 2, v);
  }
  get id(): number {
    return get16(this.buf, this.off + 4);
  }
  set id(v: number) {
    put16(this.buf, this.off + 4, v);
  }
  /** The 16-bit flags + fragment offset field (frag_off). */
  get fragField(): number {
    return get16(this.buf, this.off + 6);
  }
  set fragField(v: number) {
    put16(this.buf, this.off + 6, v);
  }
  get reservedFlag(): boolean {
    return (this.fragField & IP_RF) !== 0;
  }
  get dontFragment(): boolean {
    return (this.fragField & IP_DF) !== 0;
  }
  get moreFragments(): boolean {
    return (this.fragField & IP_MF) !== 0;
  }
  /** Fragment offset in 8-byte units. */
  get fragmentOffset(): number {
    return this.fragField & IP_OFFSET;
  }
  /** Part of a fragmented datagram (MF set or offset non-zero), as ip_is_fragment(). */
  get isFragment(): boolean {
    return (this.fragField & (IP_MF | IP_OFFSET)) !== 0;
  }
  get ttl(): number {
    return get8(this.buf, this.off + 8);
  }
  set ttl(v: number) {
    put8(this.buf, this.off + 8, v);
  }
  get protocol(): number {
    return get8(this.buf, this.off + 9);
  }
  set protocol(v: number) {
    put8(this.buf, this.off + 9, v);
  }
  get checksum(): number {
    return get16(this.buf, this.off + 10);
  }
  set checksum(v: number) {
    put16(this.buf, this.off + 10, v);
  }
  get src(): number {
    return get32(this.buf, this.off + 12);
  }
  set src(v: number) {
    put32(this.buf, this.off + 12, v);
  }
  get dst(): number {
    return get32(this.buf, this.off + 16);
  }
  set dst(v: number) {
    put32(this.buf, this.off + 16, v);
  }
  get payloadOffset(): number {
    return this.off + this.headerLength;
  }
  /** Bytes after the header per tot_len. */
  get payloadLength(): number {
    return this.totalLength - this.headerLength;
  }

  /** The header checksum the header should carry (its current checksum field ignored). */
  computeChecksum(): number {
    return finishChecksum(sumBytes(this.buf, this.off, this.off + this.headerLength) - this.checksum);
  }
  /** ip_fast_csum() over the header is 0: the kernel's receive-side test. */
  checksumValid(): boolean {
    return fold(sumBytes(this.buf, this.off, this.off + this.headerLength)) === 0xffff;
  }
  /** Recomputes the header checksum from scratch (ip_send_check). */
  updateChecksum(): void {
    this.checksum = 0;
    this.checksum = internetChecksum(this.buf, this.off, this.off + this.headerLength);
  }

  /** Rewrites the source address adjusting the header checksum as NAT does (csum_replace4). */
  replaceSrc(addr: number): void {
    this.checksum = csumReplace4(this.checksum, this.src, addr);
    this.src = addr;
  }
  replaceDst(addr: number): void {
    this.checksum = csumReplace4(this.checksum, this.dst, addr);
    this.dst = addr;
  }
  /** ip_decrease_ttl(): TTL minus one with the kernel's incremental checksum; returns the new TTL. */
  decreaseTtl(): number {
    this.checksum = decreaseTtlChecksum(this.checksum);
    this.ttl = (this.ttl - 1) & 0xff;
    return this.ttl;
  }
}

export interface Ipv4Fields {
  readonly tos?: number;
  readonly totalLength: number;
  readonly id?: number;
  /** Flags and fragment offset as one field, e.g. IP_DF. */
  readonly fragField?: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly src: number;
  readonly dst: number;
  /** Raw option bytes, a multiple of 4 long. */
  readonly options?: ArrayLike<number>;
}

/** Writes an IPv4 header with a correct checksum at `off`; returns its length. */
export function writeIpv4Header(buf: Uint8Array, off: number, f: Ipv4Fields): number {
  const optLen = f.options?.length ?? 0;
  const hl = IPV4_MIN_HEADER_LEN + optLen;
  put8(buf, off, 0x40 | (hl >>> 2));
  put8(buf, off + 1, f.tos ?? 0);
  put16(buf, off + 2, f.totalLength);
  put16(buf, off + 4, f.id ?? 0);
  put16(buf, off + 6, f.fragField ?? 0);
  put8(buf, off + 8, f.ttl);
  put8(buf, off + 9, f.protocol);
  put16(buf, off + 10, 0);
  put32(buf, off + 12, f.src);
  put32(buf, off + 16, f.dst);
  for (let i = 0; i < optLen; i++) buf[off + 20 + i] = f.options![i]!;
  put16(buf, off + 10, internetChecksum(buf, off, off + hl));
  return hl;
}
