// Captured frames packed into one ArrayBuffer, to hand a worker a batch in one transfer (no copy,
// no per-packet message). Per frame: number (f64), timestamp (i64 ns), captured length (u32),
// interface name id (u16), link type (u16), then the bytes, padded to 8.

const HEADER = 24;
const pad8 = (n: number): number => (n + 7) & ~7;

export class FrameBatchWriter {
  private buffer: ArrayBuffer;
  private view: DataView;
  private bytes: Uint8Array;
  private used = 0;
  count = 0;

  constructor(private size = 1 << 20) {
    this.buffer = new ArrayBuffer(size);
    this.view = new DataView(this.buffer);
    this.bytes = new Uint8Array(this.buffer);
  }

  /**
   * Appends `length` bytes of `data` from `start`; the timestamp as its two little-endian 32-bit
   * words (so no bigint is made per packet).
   */
  append(
    number: number,
    timestampLo: number,
    timestampHi: number,
    linkType: number,
    iif: number,
    data: Uint8Array,
    start: number,
    length: number,
  ): void {
    const need = HEADER + pad8(length);
    if (this.used + need > this.buffer.byteLength) this.grow(need);
    const at = this.used;
    const v = this.view;
    v.setFloat64(at, number, true);
    v.setUint32(at + 8, timestampLo, true);
    v.setUint32(at + 12, timestampHi, true);
    v.setUint32(at + 16, length, true);
    v.setUint16(at + 20, iif, true);
    v.setUint16(at + 22, linkType, true);
    this.bytes.set(data.subarray(start, start + length), at + HEADER);
    this.used += need;
    this.count++;
  }

  private grow(need: number): void {
    const next = new ArrayBuffer(Math.max(this.buffer.byteLength * 2, this.used + need));
    new Uint8Array(next).set(this.bytes.subarray(0, this.used));
    this.buffer = next;
    this.view = new DataView(next);
    this.bytes = new Uint8Array(next);
  }

  /**
   * The packed frames (the buffer, to transfer, and how much of it they fill); the writer starts
   * a new buffer the size the last one needed, so it rarely grows.
   */
  take(): { buffer: ArrayBuffer; length: number } {
    const done = { buffer: this.buffer, length: this.used };
    this.size = Math.max(this.size, this.used + (this.used >>> 3));
    this.buffer = new ArrayBuffer(this.size);
    this.view = new DataView(this.buffer);
    this.bytes = new Uint8Array(this.buffer);
    this.used = 0;
    this.count = 0;
    return done;
  }
}

export interface PackedFrame {
  readonly number: number;
  readonly timestampNs: bigint;
  readonly linkType: number;
  readonly interfaceName: string;
  readonly data: Uint8Array;
  readonly fileOffset: number;
}

/** The frames in the first `length` bytes of a packed buffer, interface ids resolved in `names`. */
export function* unpackFrames(
  buffer: ArrayBuffer,
  length: number,
  names: readonly string[],
): Generator<PackedFrame> {
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  let at = 0;
  while (at < length) {
    const captured = view.getUint32(at + 16, true);
    yield {
      number: view.getFloat64(at, true),
      timestampNs: view.getBigInt64(at + 8, true),
      linkType: view.getUint16(at + 22, true),
      interfaceName: names[view.getUint16(at + 20, true)]!,
      data: bytes.subarray(at + HEADER, at + HEADER + captured),
      fileOffset: 0,
    };
    at += HEADER + pad8(captured);
  }
}
