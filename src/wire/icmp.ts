// ICMPv4 (RFC 792). Error messages carry the offending datagram's IP header and at least its
// first 8 bytes after the 8-byte ICMP header; that quote is decodable as an inner packet.

import { ByteView } from './byte-view.js';
import { get8, get16, get32, put8, put16, put32 } from './bytes.js';
import { finishChecksum, internetChecksum, sumBytes } from './checksum.js';

export const ICMP_HEADER_LEN = 8;
export const ICMP_ECHOREPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETERPROB = 12;
export const ICMP_TIMESTAMP = 13;
export const ICMP_TIMESTAMPREPLY = 14;
export const ICMP_INFO_REQUEST = 15;
export const ICMP_INFO_REPLY = 16;
export const ICMP_ADDRESS = 17;
export const ICMP_ADDRESSREPLY = 18;
/** Highest type the kernel knows (NR_ICMP_TYPES). */
export const NR_ICMP_TYPES = 18;

// Dest-unreachable codes (include/uapi/linux/icmp.h), as REJECT --reject-with uses them.
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_NET_ANO = 9;
export const ICMP_HOST_ANO = 10;
export const ICMP_PKT_FILTERED = 13;

/**
 * Whether the kernel treats `type` as an error message (icmp_pointers[].error in
 * net/ipv4/icmp.c): 1-7 except 0, 9-12; unknown types above 18 are assumed to be errors.
 */
export function isIcmpError(type: number): boolean {
  if (type > NR_ICMP_TYPES) return true;
  return (type >= 1 && type <= 7) || (type >= 9 && type <= 12);
}

/** Types whose id/sequence identify a "connection" for conntrack (nf_conntrack_proto_icmp.c). */
export function isIcmpQuery(type: number): boolean {
  return (
    type === ICMP_ECHO ||
    type === ICMP_ECHOREPLY ||
    type === ICMP_TIMESTAMP ||
    type === ICMP_TIMESTAMPREPLY ||
    type === ICMP_INFO_REQUEST ||
    type === ICMP_INFO_REPLY ||
    type === ICMP_ADDRESS ||
    type === ICMP_ADDRESSREPLY
  );
}

export class IcmpView extends ByteView {
  /** A full 8-byte header (conntrack's icmp_error() needs no more for queries). */
  check(): string | null {
    const avail = this.end - this.off;
    return avail < ICMP_HEADER_LEN ? `icmp header truncated (${avail} of 8 bytes)` : null;
  }

  get type(): number {
    return get8(this.buf, this.off);
  }
  set type(v: number) {
    put8(this.buf, this.off, v);
  }
  get code(): number {
    return get8(this.buf, this.off + 1);
  }
  set code(v: number) {
    put8(this.buf, this.off + 1, v);
  }
  get checksum(): number {
    return get16(this.buf, this.off + 2);
  }
  set checksum(v: number) {
    put16(this.buf, this.off + 2, v);
  }
  /** Echo/timestamp/info identifier. */
  get id(): number {
    return get16(this.buf, this.off + 4);
  }
  set id(v: number) {
    put16(this.buf, this.off + 4, v);
  }
  get sequence(): number {
    return get16(this.buf, this.off + 6);
  }
  set sequence(v: number) {
    put16(this.buf, this.off + 6, v);
  }
  /** The second 32-bit word: gateway (redirect), pointer (parameter problem) or unused. */
  get restOfHeader(): number {
    return get32(this.buf, this.off + 4);
  }
  set restOfHeader(v: number) {
    put32(this.buf, this.off + 4, v);
  }
  /** Next-hop MTU of a fragmentation-needed message (RFC 1191). */
  get nextHopMtu(): number {
    return get16(this.buf, this.off + 6);
  }
  /** Pointer of a parameter-problem message. */
  get pointer(): number {
    return get8(this.buf, this.off + 4);
  }
  get isError(): boolean {
    return isIcmpError(this.type);
  }
  /** Offset of the quoted datagram of an error message. */
  get innerOffset(): number {
    return this.off + ICMP_HEADER_LEN;
  }

  /** The checksum the message [off, messageEnd) should carry. */
  computeChecksum(messageEnd: number): number {
    return finishChecksum(sumBytes(this.buf, this.off, messageEnd) - this.checksum);
  }
}

/** Writes an ICMP header at `off` and fills its checksum over [off, messageEnd); returns 8. */
export function writeIcmpHeader(
  buf: Uint8Array,
  off: number,
  type: number,
  code: number,
  restOfHeader: number,
  messageEnd: number,
): number {
  put8(buf, off, type);
  put8(buf, off + 1, code);
  put16(buf, off + 2, 0);
  put32(buf, off + 4, restOfHeader);
  put16(buf, off + 2, internetChecksum(buf, off, messageEnd));
  return ICMP_HEADER_LEN;
}
