// UDP header (RFC 768). A zero checksum means "none"; a computed 0 is sent as 0xffff. NAT's
// handling of both is in manip.ts.

import { ByteView } from './byte-view.js';
import { get16, put16 } from './bytes.js';
import { segmentChecksum, udpWireChecksum } from './checksum.js';

export const UDP_HEADER_LEN = 8;

export class UdpView extends ByteView {
  /** conntrack's udp_error() tests: a full header, length >= 8 and within the datagram. */
  check(): string | null {
    const avail = this.end - this.off;
    if (avail < UDP_HEADER_LEN) return `udp header truncated (${avail} of 8 bytes)`;
    if (this.length < UDP_HEADER_LEN) return `udp length ${this.length} < 8`;
    if (this.length > avail) return `udp length ${this.length} > ${avail} bytes present`;
    return null;
  }

  get srcPort(): number {
    return get16(this.buf, this.off);
  }
  set srcPort(v: number) {
    put16(this.buf, this.off, v);
  }
  get dstPort(): number {
    return get16(this.buf, this.off + 2);
  }
  set dstPort(v: number) {
    put16(this.buf, this.off + 2, v);
  }
  get length(): number {
    return get16(this.buf, this.off + 4);
  }
  set length(v: number) {
    put16(this.buf, this.off + 4, v);
  }
  get checksum(): number {
    return get16(this.buf, this.off + 6);
  }
  set checksum(v: number) {
    put16(this.buf, this.off + 6, v);
  }
  get payloadOffset(): number {
    return this.off + UDP_HEADER_LEN;
  }

  /** The checksum to send for [off, off+length), 0 mapped to 0xffff. */
  computeChecksum(pseudoSum: number): number {
    return udpWireChecksum(segmentChecksum(this.buf, this.off, this.off + this.length, 6, pseudoSum));
  }
}

/** Writes a UDP header at `off` with a zero checksum; returns 8. */
export function writeUdpHeader(
  buf: Uint8Array,
  off: number,
  srcPort: number,
  dstPort: number,
  length: number,
): number {
  put16(buf, off, srcPort);
  put16(buf, off + 2, dstPort);
  put16(buf, off + 4, length);
  put16(buf, off + 6, 0);
  return UDP_HEADER_LEN;
}
