// TCP header (RFC 9293) with ECE/CWR (RFC 3168) and the NS bit, the option walk, and the
// MSS option lookup TCPMSS uses.

import { ByteView } from './byte-view.js';
import { get8, get16, get32, put8, put16, put32 } from './bytes.js';
import { segmentChecksum } from './checksum.js';

export const TCP_MIN_HEADER_LEN = 20;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;
export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOLEN_MSS = 4;

const FLAG_LETTERS = 'FSRPAUEC';

/** Flags in tcpdump's letter form ("S", "SA" is printed as "S." by tcpdump; here plain letters). */
export function formatTcpFlags(flags: number): string {
  let s = '';
  for (let i = 0; i < 8; i++) if (flags & (1 << i)) s += FLAG_LETTERS[i];
  return s === '' ? 'none' : s;
}

/** Parses letters FSRPAUEC (any order) into a flags byte; null on an unknown letter. */
export function parseTcpFlags(text: string): number | null {
  let f = 0;
  for (const c of text.toUpperCase()) {
    const i = FLAG_LETTERS.indexOf(c);
    if (i < 0) return null;
    f |= 1 << i;
  }
  return f;
}

/**
 * Length of the option at `o`, as the kernel's xt_TCPMSS/xt_tcpmss optlen() helper: EOL and NOP
 * and a zero length byte count as one byte (the walk does not stop at EOL).
 */
export function tcpOptionLength(buf: Uint8Array, o: number): number {
  const kind = get8(buf, o);
  const len = get8(buf, o + 1);
  return kind <= TCPOPT_NOP || len === 0 ? 1 : len;
}

export class TcpView extends ByteView {
  /** The tests of conntrack's tcp_error(): a full header whose data offset is >= 5 and fits. */
  check(): string | null {
    const avail = this.end - this.off;
    if (avail < TCP_MIN_HEADER_LEN) return `tcp header truncated (${avail} of 20 bytes)`;
    if (this.dataOffset < 5) return `tcp data offset ${this.dataOffset} < 5`;
    if (this.headerLength > avail) return `tcp options truncated (${avail} of ${this.headerLength} bytes)`;
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
  get seq(): number {
    return get32(this.buf, this.off + 4);
  }
  set seq(v: number) {
    put32(this.buf, this.off + 4, v);
  }
  get ack(): number {
    return get32(this.buf, this.off + 8);
  }
  set ack(v: number) {
    put32(this.buf, this.off + 8, v);
  }
  /** Header length in 32-bit words. */
  get dataOffset(): number {
    return get8(this.buf, this.off + 12) >>> 4;
  }
  get headerLength(): number {
    return this.dataOffset * 4;
  }
  /** The eight flag bits FIN..CWR. */
  get flags(): number {
    return get8(this.buf, this.off + 13);
  }
  set flags(v: number) {
    put8(this.buf, this.off + 13, v);
  }
  /** The ECN-nonce bit (RFC 3540, historic), low bit of byte 12. */
  get ns(): boolean {
    return (get8(this.buf, this.off + 12) & 1) === 1;
  }
  get fin(): boolean {
    return (this.flags & TCP_FIN) !== 0;
  }
  get syn(): boolean {
    return (this.flags & TCP_SYN) !== 0;
  }
  get rst(): boolean {
    return (this.flags & TCP_RST) !== 0;
  }
  get psh(): boolean {
    return (this.flags & TCP_PSH) !== 0;
  }
  get ackFlag(): boolean {
    return (this.flags & TCP_ACK) !== 0;
  }
  get urg(): boolean {
    return (this.flags & TCP_URG) !== 0;
  }
  get ece(): boolean {
    return (this.flags & TCP_ECE) !== 0;
  }
  get cwr(): boolean {
    return (this.flags & TCP_CWR) !== 0;
  }
  get window(): number {
    return get16(this.buf, this.off + 14);
  }
  set window(v: number) {
    put16(this.buf, this.off + 14, v);
  }
  get checksum(): number {
    return get16(this.buf, this.off + 16);
  }
  set checksum(v: number) {
    put16(this.buf, this.off + 16, v);
  }
  get urgentPointer(): number {
    return get16(this.buf, this.off + 18);
  }
  get optionsOffset(): number {
    return this.off + TCP_MIN_HEADER_LEN;
  }
  get payloadOffset(): number {
    return this.off + this.headerLength;
  }

  /** Offset of the first option of `kind` (walking as tcpOptionLength does), or -1. */
  findOption(kind: number): number {
    const end = this.off + this.headerLength;
    for (let o = this.off + TCP_MIN_HEADER_LEN; o < end; o += tcpOptionLength(this.buf, o)) {
      if (get8(this.buf, o) === kind) return o;
    }
    return -1;
  }

  /**
   * Offset of the MSS option as xt_TCPMSS finds it: kind 2 with length byte 4 starting no later
   * than 4 bytes before the header end; -1 when absent.
   */
  mssOptionOffset(): number {
    const last = this.off + this.headerLength - TCPOLEN_MSS;
    for (let o = this.off + TCP_MIN_HEADER_LEN; o <= last; o += tcpOptionLength(this.buf, o)) {
      if (get8(this.buf, o) === TCPOPT_MSS && get8(this.buf, o + 1) === TCPOLEN_MSS) return o;
    }
    return -1;
  }
  /** The MSS option value, or -1 when there is none. */
  get mss(): number {
    const o = this.mssOptionOffset();
    return o < 0 ? -1 : get16(this.buf, o + 2);
  }

  /** The checksum the segment [off, segmentEnd) should carry, given the pseudo-header sum. */
  computeChecksum(pseudoSum: number, segmentEnd: number): number {
    return segmentChecksum(this.buf, this.off, segmentEnd, 16, pseudoSum);
  }
}

export interface TcpFields {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq?: number;
  readonly ack?: number;
  readonly flags: number;
  readonly window?: number;
  readonly urgentPointer?: number;
  /** Option bytes, padded by the caller to a multiple of 4. */
  readonly options?: ArrayLike<number>;
}

/** Writes a TCP header at `off` with a zero checksum; returns its length. */
export function writeTcpHeader(buf: Uint8Array, off: number, f: TcpFields): number {
  const optLen = f.options?.length ?? 0;
  const hl = TCP_MIN_HEADER_LEN + optLen;
  put16(buf, off, f.srcPort);
  put16(buf, off + 2, f.dstPort);
  put32(buf, off + 4, f.seq ?? 0);
  put32(buf, off + 8, f.ack ?? 0);
  put8(buf, off + 12, (hl >>> 2) << 4);
  put8(buf, off + 13, f.flags);
  put16(buf, off + 14, f.window ?? 0);
  put16(buf, off + 16, 0);
  put16(buf, off + 18, f.urgentPointer ?? 0);
  for (let i = 0; i < optLen; i++) buf[off + 20 + i] = f.options![i]!;
  return hl;
}
