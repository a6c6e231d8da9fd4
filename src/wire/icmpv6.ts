// ICMPv6 (RFC 4443): like ICMPv4, but the checksum covers the IPv6 pseudo-header and error
// messages are the types below 128.

import { ByteView } from './byte-view.js';
import { get8, get16, get32, put8, put16, put32 } from './bytes.js';
import { internetChecksum, segmentChecksum } from './checksum.js';

export const ICMPV6_HEADER_LEN = 8;
export const ICMPV6_DEST_UNREACH = 1;
export const ICMPV6_PKT_TOOBIG = 2;
export const ICMPV6_TIME_EXCEED = 3;
export const ICMPV6_PARAMPROB = 4;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
export const NDISC_ROUTER_SOLICITATION = 133;
export const NDISC_ROUTER_ADVERTISEMENT = 134;
export const NDISC_NEIGHBOUR_SOLICITATION = 135;
export const NDISC_NEIGHBOUR_ADVERTISEMENT = 136;
export const NDISC_REDIRECT = 137;

// Dest-unreachable codes, as ip6tables REJECT --reject-with uses them.
export const ICMPV6_NOROUTE = 0;
export const ICMPV6_ADM_PROHIBITED = 1;
export const ICMPV6_ADDR_UNREACH = 3;
export const ICMPV6_PORT_UNREACH = 4;

/** ICMPV6_INFOMSG_MASK: the high bit set means informational. */
export function isIcmpv6Error(type: number): boolean {
  return (type & 0x80) === 0;
}

export class Icmpv6View extends ByteView {
  check(): string | null {
    const avail = this.end - this.off;
    return avail < ICMPV6_HEADER_LEN ? `icmpv6 header truncated (${avail} of 8 bytes)` : null;
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
  get checksum(): number {
    return get16(this.buf, this.off + 2);
  }
  set checksum(v: number) {
    put16(this.buf, this.off + 2, v);
  }
  get id(): number {
    return get16(this.buf, this.off + 4);
  }
  set id(v: number) {
    put16(this.buf, this.off + 4, v);
  }
  get sequence(): number {
    return get16(this.buf, this.off + 6);
  }
  /** MTU of packet-too-big, pointer of parameter-problem. */
  get restOfHeader(): number {
    return get32(this.buf, this.off + 4);
  }
  get isError(): boolean {
    return isIcmpv6Error(this.type);
  }
  get innerOffset(): number {
    return this.off + ICMPV6_HEADER_LEN;
  }
  /** The checksum the message [off, messageEnd) should carry, given the pseudo-header sum. */
  computeChecksum(pseudoSum: number, messageEnd: number): number {
    return segmentChecksum(this.buf, this.off, messageEnd, 2, pseudoSum);
  }
}

/** Writes an ICMPv6 header at `off`, checksum over [off, messageEnd) plus `pseudoSum`; returns 8. */
export function writeIcmpv6Header(
  buf: Uint8Array,
  off: number,
  type: number,
  code: number,
  restOfHeader: number,
  messageEnd: number,
  pseudoSum: number,
): number {
  put8(buf, off, type);
  put8(buf, off + 1, code);
  put16(buf, off + 2, 0);
  put32(buf, off + 4, restOfHeader);
  put16(buf, off + 2, internetChecksum(buf, off, messageEnd, pseudoSum));
  return ICMPV6_HEADER_LEN;
}
