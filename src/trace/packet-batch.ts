// A batch of packets in struct-of-arrays form: what the engine consumes. Decoders fill the typed
// arrays in place; nothing is allocated per packet. The arrays are reused for the next batch, so
// a batch is valid until the reader produces the next one; `data` (the chunk read from the file)
// is never overwritten, so views taken with `bytes(i)` stay valid for as long as they are held.

import { EPB_FLAGS, forEachOption, OPT_COMMENT, optionString } from './pcapng-options.js';
import type { TraceInterface } from './trace-interface.js';
import type { TracePacket } from './trace-packet.js';

/** Bits of `PacketBatch.flags`. */
export const PacketFlag = {
  /** The block carries no timestamp (pcapng Simple Packet Block); `timestamp` holds 0. */
  NoTimestamp: 1,
} as const;

export const DEFAULT_BATCH_CAPACITY = 8192;

export class PacketBatch {
  /** The chunk the packets lie in. */
  data: Uint8Array = new Uint8Array(0);
  /** View on `data`, for decoders. */
  view: DataView = new DataView(this.data.buffer);
  count = 0;
  /** Packet number (1-based) of element 0. */
  firstNumber = 1;
  /** File offset of `data[0]`. */
  dataFileOffset = 0;
  readonly offset: Uint32Array;
  readonly capturedLength: Uint32Array;
  readonly originalLength: Uint32Array;
  readonly interfaceIndex: Uint32Array;
  /** Nanoseconds since the epoch (signed 64-bit). */
  readonly timestamp: BigInt64Array;
  /** `timestamp` seen as 32-bit words, so decoders store without creating bigints. */
  readonly timestampWords: Uint32Array;
  readonly flags: Uint8Array;
  /** Start (in `data`) and length of each packet's pcapng options; length 0 when none. */
  readonly optionsOffset: Uint32Array;
  readonly optionsLength: Uint32Array;
  /** Offset in `data` of each packet's record or block header. */
  readonly recordOffset: Uint32Array;

  constructor(
    /** All interfaces of the file so far (shared with the reader, grows as blocks are read). */
    readonly interfaces: readonly TraceInterface[],
    readonly capacity = DEFAULT_BATCH_CAPACITY,
    /**
     * Where to lay the arrays out (PacketBatch.bytes(capacity) bytes from an 8-aligned offset),
     * e.g. in WebAssembly memory that decodes into them; fresh memory otherwise.
     */
    memory?: { readonly buffer: ArrayBufferLike; readonly byteOffset: number },
  ) {
    const buffer = memory?.buffer ?? new ArrayBuffer(PacketBatch.bytes(capacity));
    const at = PacketBatch.layout(capacity, memory?.byteOffset ?? 0);
    const words = (offset: number) => new Uint32Array(buffer, offset, capacity);
    this.timestamp = new BigInt64Array(buffer, at.timestamp, capacity);
    this.timestampWords = new Uint32Array(buffer, at.timestamp, 2 * capacity);
    this.offset = words(at.offset);
    this.capturedLength = words(at.capturedLength);
    this.originalLength = words(at.originalLength);
    this.interfaceIndex = words(at.interfaceIndex);
    this.optionsOffset = words(at.optionsOffset);
    this.optionsLength = words(at.optionsLength);
    this.recordOffset = words(at.recordOffset);
    this.flags = new Uint8Array(buffer, at.flags, capacity);
  }

  /**
   * Where a batch laid out from `base` keeps each array (what decoders in WebAssembly write):
   * the timestamps first (8-byte elements), then the 32-bit arrays, then the flags.
   */
  static layout(capacity: number, base = 0) {
    const word = (k: number) => base + capacity * 8 + k * capacity * 4;
    return {
      timestamp: base,
      offset: word(0),
      capturedLength: word(1),
      originalLength: word(2),
      interfaceIndex: word(3),
      optionsOffset: word(4),
      optionsLength: word(5),
      recordOffset: word(6),
      flags: word(7),
    };
  }

  /** Bytes of a batch's arrays (layout). */
  static bytes(capacity: number): number {
    return capacity * (8 + 7 * 4 + 1);
  }

  /** Starts an empty batch on a chunk. */
  reset(data: Uint8Array, view: DataView, dataFileOffset: number, firstNumber: number): void {
    this.data = data;
    this.view = view;
    this.dataFileOffset = dataFileOffset;
    this.firstNumber = firstNumber;
    this.count = 0;
  }

  /** The captured bytes of packet i: a view, not a copy. */
  bytes(i: number): Uint8Array {
    const start = this.offset[i]!;
    return this.data.subarray(start, start + this.capturedLength[i]!);
  }

  timestampNs(i: number): bigint | undefined {
    return this.flags[i]! & PacketFlag.NoTimestamp ? undefined : this.timestamp[i]!;
  }

  interfaceOf(i: number): TraceInterface {
    return this.interfaces[this.interfaceIndex[i]!]!;
  }

  /** The `opt_comment`s of packet i. */
  comments(i: number): string[] {
    const out: string[] = [];
    this.visitOptions(i, (code, start, length) => {
      if (code === OPT_COMMENT) out.push(optionString(this.data, start, length));
    });
    return out;
  }

  /** The `epb_flags` word of packet i, if present. */
  epbFlags(i: number): number | undefined {
    let flags: number | undefined;
    const le = this.interfaceOf(i).littleEndian;
    this.visitOptions(i, (code, start, length) => {
      if (code === EPB_FLAGS && length === 4) flags = this.view.getUint32(start, le);
    });
    return flags;
  }

  /** Packet i with everything materialised (allocates; the hot path should use the arrays). */
  packet(i: number): TracePacket {
    const iface = this.interfaceOf(i);
    const hasOptions = this.optionsLength[i]! > 0;
    return {
      number: this.firstNumber + i,
      interfaceIndex: iface.index,
      interfaceName: iface.name,
      linkType: iface.linkType,
      timestampNs: this.timestampNs(i),
      capturedLength: this.capturedLength[i]!,
      originalLength: this.originalLength[i]!,
      data: this.bytes(i),
      fileOffset: this.dataFileOffset + this.recordOffset[i]!,
      comments: hasOptions ? this.comments(i) : [],
      epbFlags: hasOptions ? this.epbFlags(i) : undefined,
    };
  }

  private visitOptions(i: number, visit: (code: number, start: number, length: number) => void): void {
    const length = this.optionsLength[i]!;
    if (length === 0) return;
    const start = this.optionsOffset[i]!;
    forEachOption(this.view, start, start + length, this.interfaceOf(i).littleEndian, visit);
  }
}
