// IPv6 fixed header (RFC 8200) and the extension-header walk netfilter does to find the upper
// layer: ipv6_skip_exthdr() (net/ipv6/exthdrs_core.c). Hop-by-hop (0), routing (43), fragment (44),
// destination options (60) and AH (51) are skipped; "no next header" (59) ends the packet; a
// non-first fragment stops the walk, since what follows is not a header.

import { ByteView } from './byte-view.js';
import { get8, get16, get32, put8, put16, put32 } from './bytes.js';

export const IPV6_HEADER_LEN = 40;
export const NEXTHDR_HOP = 0;
export const NEXTHDR_ROUTING = 43;
export const NEXTHDR_FRAGMENT = 44;
export const NEXTHDR_AUTH = 51;
export const NEXTHDR_NONE = 59;
export const NEXTHDR_DEST = 60;
/** Walk bound: a packet this deep in headers is treated as malformed, not followed forever. */
export const MAX_EXT_HEADERS = 16;

export function isIpv6ExtensionHeader(nh: number): boolean {
  return (
    nh === NEXTHDR_HOP ||
    nh === NEXTHDR_ROUTING ||
    nh === NEXTHDR_FRAGMENT ||
    nh === NEXTHDR_AUTH ||
    nh === NEXTHDR_NONE ||
    nh === NEXTHDR_DEST
  );
}

export class Ipv6View extends ByteView {
  /** Structural checks of ip6_rcv_core(): version 6, header and payload present. */
  check(): string | null {
    const avail = this.end - this.off;
    if (avail < IPV6_HEADER_LEN) return `ipv6 header truncated (${avail} of 40 bytes)`;
    if (this.version !== 6) return `ipv6 version is ${this.version}`;
    // A zero payload length with a hop-by-hop header is a jumbogram; not supported here.
    if (this.payloadLength === 0 && this.nextHeader === NEXTHDR_HOP) return 'ipv6 jumbogram not supported';
    if (IPV6_HEADER_LEN + this.payloadLength > avail)
      return `ipv6 payload truncated (payload length ${this.payloadLength}, ${avail - IPV6_HEADER_LEN} bytes present)`;
    return null;
  }

  get version(): number {
    return get8(this.buf, this.off) >>> 4;
  }
  get trafficClass(): number {
    return (get16(this.buf, this.off) >>> 4) & 0xff;
  }
  set trafficClass(v: number) {
    const w = get32(this.buf, this.off);
    put32(this.buf, this.off, ((w & 0xf00fffff) | ((v & 0xff) << 20)) >>> 0);
  }
  get flowLabel(): number {
    return get32(this.buf, this.off) & 0xfffff;
  }
  get payloadLength(): number {
    return get16(this.buf, this.off + 4);
  }
  set payloadLength(v: number) {
    put16(this.buf, this.off + 4, v);
  }
  get nextHeader(): number {
    return get8(this.buf, this.off + 6);
  }
  get hopLimit(): number {
    return get8(this.buf, this.off + 7);
  }
  set hopLimit(v: number) {
    put8(this.buf, this.off + 7, v);
  }
  get srcOffset(): number {
    return this.off + 8;
  }
  get dstOffset(): number {
    return this.off + 24;
  }
  /** Word `i` (0..3) of the source address, big-endian word order as src/ir/address.ts. */
  srcWord(i: number): number {
    return get32(this.buf, this.off + 8 + 4 * i);
  }
  dstWord(i: number): number {
    return get32(this.buf, this.off + 24 + 4 * i);
  }
  setSrcWord(i: number, v: number): void {
    put32(this.buf, this.off + 8 + 4 * i, v);
  }
  setDstWord(i: number, v: number): void {
    put32(this.buf, this.off + 24 + 4 * i, v);
  }
  get payloadOffset(): number {
    return this.off + IPV6_HEADER_LEN;
  }
}

/** Result of walking extension headers; reused between packets to avoid allocation. */
export class Ipv6ExtWalk {
  /** Protocol after the last extension header (59 when there is none). */
  upperProtocol = 0;
  /** Offset of the upper-layer header; of the fragment data for a non-first fragment. */
  upperOffset = 0;
  /** Number of extension headers passed. */
  headerCount = 0;
  /** A fragment header was seen. */
  fragment = false;
  /** Fragment offset in 8-byte units, M flag and identification of that header. */
  fragmentOffset = 0;
  moreFragments = false;
  fragmentId = 0;
  /** Offset of the fragment header, -1 when none. */
  fragmentHeaderOffset = -1;
  /** null, or why the walk failed (truncated/looping header chain). */
  error: string | null = null;
}

/** Walks the extension headers of the IPv6 packet at `off` (bytes up to `end`), filling `out`. */
export function walkIpv6Extensions(buf: Uint8Array, off: number, end: number, out: Ipv6ExtWalk): Ipv6ExtWalk {
  out.fragment = false;
  out.fragmentOffset = 0;
  out.moreFragments = false;
  out.fragmentId = 0;
  out.fragmentHeaderOffset = -1;
  out.error = null;
  out.headerCount = 0;
  let nh = get8(buf, off + 6);
  let pos = off + IPV6_HEADER_LEN;
  while (isIpv6ExtensionHeader(nh) && nh !== NEXTHDR_NONE) {
    if (out.headerCount >= MAX_EXT_HEADERS) {
      out.error = `more than ${MAX_EXT_HEADERS} ipv6 extension headers`;
      break;
    }
    if (end - pos < 8) {
      out.error = `ipv6 extension header ${nh} truncated`;
      break;
    }
    let len: number;
    if (nh === NEXTHDR_FRAGMENT) {
      const fo = get16(buf, pos + 2);
      out.fragment = true;
      out.fragmentHeaderOffset = pos;
      out.fragmentOffset = fo >>> 3;
      out.moreFragments = (fo & 1) === 1;
      out.fragmentId = get32(buf, pos + 4);
      len = 8;
    } else if (nh === NEXTHDR_AUTH) {
      len = (get8(buf, pos + 1) + 2) * 4;
    } else {
      len = (get8(buf, pos + 1) + 1) * 8;
    }
    if (end - pos < len) {
      out.error = `ipv6 extension header ${nh} truncated`;
      break;
    }
    out.headerCount++;
    const wasFragment = nh === NEXTHDR_FRAGMENT;
    nh = get8(buf, pos);
    pos += len;
    // What follows a non-first fragment header is data, not a header (ipv6_skip_exthdr stops too).
    if (wasFragment && out.fragmentOffset !== 0) break;
  }
  out.upperProtocol = nh;
  out.upperOffset = pos;
  return out;
}

export interface Ipv6Fields {
  readonly trafficClass?: number;
  readonly flowLabel?: number;
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  /** Four words each. */
  readonly src: readonly number[];
  readonly dst: readonly number[];
}

/** Writes a fixed IPv6 header at `off`; returns 40. */
export function writeIpv6Header(buf: Uint8Array, off: number, f: Ipv6Fields): number {
  put32(buf, off, ((6 << 28) | ((f.trafficClass ?? 0) << 20) | ((f.flowLabel ?? 0) & 0xfffff)) >>> 0);
  put16(buf, off + 4, f.payloadLength);
  put8(buf, off + 6, f.nextHeader);
  put8(buf, off + 7, f.hopLimit);
  for (let i = 0; i < 4; i++) {
    put32(buf, off + 8 + 4 * i, f.src[i] ?? 0);
    put32(buf, off + 24 + 4 * i, f.dst[i] ?? 0);
  }
  return IPV6_HEADER_LEN;
}
