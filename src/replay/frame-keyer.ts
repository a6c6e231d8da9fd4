// The main thread's per-frame work for `replay --workers N` on a trace file, in WebAssembly
// (assembly/frames/): decoding pcapng's packet blocks, which worker each frame goes to
// (connection-sharding.ts's keys, bit for bit) and each worker's frame index (frame-index.ts's
// layout). In JavaScript decoding, keying and indexing took 100–130 ns a frame, time taken from
// the two cores the workers need. The reader reads its chunks straight into this module's
// memory and decodes into a batch whose arrays lie there too (`readerOptions`), so a batch costs
// a few calls and no copies. What the module leaves alone goes the JavaScript way: blocks other
// than well-formed Enhanced Packet Blocks of a little-endian section (pcapng-decoder.ts decodes
// them), and frames it does not key — IPv4 fragments, whose datagram's key connection-sharding.ts
// remembers, and IPv6 — which come back marked for the caller to key (`setRoute`).
//
// The memory is laid out once and never grows: growing would detach the chunk the reader is
// decoding. It reserves two chunks big enough for the largest record the reader believes.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_MAX_RECORD_LENGTH,
  PacketBatch,
  type PacketBlockWalker,
  type TimestampScale,
  type TraceInterface,
  type TraceReaderOptions,
} from '../trace/index.js';
import type { ConnectionSharding } from './connection-sharding.js';

/** A frame's route besides its worker: its interface is skipped, or it is for the caller to key. */
export const ROUTE_SKIPPED = 0xff;
export const ROUTE_PUNT = 0xfe;
/** Interfaces of a trace the module takes (name ids are 16 bits in the index anyway). */
const MAX_INTERFACES = 65536;
const INDEX_WORDS = 10;
const CONFIG_WORDS = 28;
/** Round slots of staging: the round being filled and those in flight (replay-workers.ts DEPTH) and one more. */
export const STAGING_SLOTS = 4;
/** Bytes of a worker's staging region in a slot, at least (a region takes any one frame). */
const MIN_STAGING_BYTES = 8 * 1024 * 1024;
/** WebAssembly memory a keyer may lay out (the module's maximum is 4 GiB). */
const MAX_LAYOUT_BYTES = 3 * 1024 * 1024 * 1024;

interface FramesExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  reserve(bytes: number): number;
  configure(words: number): void;
  addEndpoint(address: number, port: number): void;
  route(data: number, from: number, to: number): number;
  append(data: number, from: number, to: number, firstNumber: number, dataFileOffset: number): number;
  appendSkipped(): number;
  startStaging(slot: number): void;
  walkEnhancedPackets(
    chunk: number,
    pos: number,
    end: number,
    count: number,
    capacity: number,
    firstInterface: number,
    interfaceCount: number,
    maxRecordLength: number,
  ): number;
  walkedPackets(): number;
}

interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (m: object, imports: object) => { readonly exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;
function framesModule(): object {
  compiled ??= new WA.Module(
    readFileSync(fileURLToPath(new URL('../../build/frames.wasm', import.meta.url))),
  );
  return compiled;
}

export interface FrameKeyerOptions {
  /** The reader's chunk size and largest record (the reader's defaults otherwise). */
  readonly chunkSize?: number;
  readonly maxRecordLength?: number;
  /** Packets per batch. */
  readonly batchCapacity: number;
  /** Frames per round: the most one worker's index holds. */
  readonly roundPackets: number;
  /**
   * Copies each worker's frames into regions of its own in this module's (shared) memory, which
   * the workers copy them out of, instead of their reading the trace file themselves.
   */
  readonly staging?: boolean;
  /** Bytes of each worker's staging region per round (default 8 MiB, or more for the largest record). */
  readonly stagingBytes?: number;
}

/** Bump allocation of the layout from `size` (the heap's base), 16-byte aligned. */
class Layout {
  constructor(public size: number) {}
  take(bytes: number): number {
    const at = this.size;
    this.size += (bytes + 15) & ~15;
    return at;
  }
}

export class FrameKeyer implements PacketBlockWalker {
  private readonly exports: FramesExports;
  private readonly memory: SharedArrayBuffer;
  private readonly bytes: Uint8Array;
  private readonly words: Uint32Array;
  private readonly chunkSize: number;
  private readonly maxRecordLength: number;
  private readonly slots: readonly [number, number];
  private readonly slotSize: number;
  private nextSlot = 0;
  /** Interfaces whose keying word, and whose timestamp terms, the module has. */
  private interfaceWordsKnown = 0;
  private timestampTermsKnown = 0;
  private readonly interfaceWordsAt: number;
  private readonly unitNanoseconds: BigUint64Array;
  private readonly offsetNanoseconds: BigInt64Array;
  private readonly batchAt: number;
  private readonly batchCapacity: number;
  private batch: PacketBatch | undefined;
  private readonly routesAt: number;
  private readonly countsAt: number;
  private readonly indexesAt: number;
  private readonly indexBytes: number;
  /** Frames a round may hold: the most one worker's index takes. */
  readonly roundPackets: number;
  /** Whether frames are staged (FrameKeyerOptions.staging). */
  readonly staging: boolean;
  /** Frames the last append skipped. */
  skipped = 0;
  /** Index buffers the workers handed back, to fill again. */
  private readonly returned: ArrayBuffer[] = [];

  constructor(sharding: ConnectionSharding, workers: number, o: FrameKeyerOptions) {
    const t = sharding.keyingTables();
    const setSlots = 2 ** Math.ceil(Math.log2(Math.max(16, t.endpoints.length)));
    const cap = o.batchCapacity;
    this.batchCapacity = cap;
    this.roundPackets = o.roundPackets;
    this.chunkSize = o.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.maxRecordLength = o.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH;
    this.slotSize = Math.max(this.chunkSize, this.maxRecordLength + 64);
    this.indexBytes = o.roundPackets * INDEX_WORDS * 4;
    this.staging = o.staging ?? false;
    const stagingBytes = this.staging ? FrameKeyer.stagingBytes(this.maxRecordLength, o.stagingBytes) : 0;
    this.exports = new WA.Instance(framesModule(), {}).exports as FramesExports;
    const l = new Layout(this.exports.reserve(0));
    const config = l.take(CONFIG_WORDS * 4);
    const ranges = l.take(t.ranges.byteLength);
    const portUsed = l.take(65536);
    const endpointSet = l.take(setSlots * 8);
    const any = l.take(t.anyPortRanges.byteLength);
    this.interfaceWordsAt = l.take(MAX_INTERFACES * 4);
    const unitsAt = l.take(MAX_INTERFACES * 8);
    const offsetsAt = l.take(MAX_INTERFACES * 8);
    this.batchAt = l.take(PacketBatch.bytes(cap));
    this.routesAt = l.take(cap);
    this.countsAt = l.take(workers * 4);
    this.indexesAt = l.take(workers * this.indexBytes);
    const staging = l.take(STAGING_SLOTS * workers * stagingBytes);
    const stagingUsed = l.take(workers * 4);
    this.slots = [l.take(this.slotSize), l.take(this.slotSize)];
    if (l.size > MAX_LAYOUT_BYTES)
      throw new Error(`a frame keyer for ${workers} workers needs ${l.size} bytes`);
    this.exports.reserve(l.size - this.exports.reserve(0));
    // Views only now: reserving grew the memory, which replaces its buffer.
    this.memory = this.exports.memory.buffer as unknown as SharedArrayBuffer;
    this.bytes = new Uint8Array(this.memory);
    this.words = new Uint32Array(this.memory);
    this.unitNanoseconds = new BigUint64Array(this.memory, unitsAt, MAX_INTERFACES);
    this.offsetNanoseconds = new BigInt64Array(this.memory, offsetsAt, MAX_INTERFACES);
    this.words.set(t.ranges, ranges / 4);
    this.words.set(t.anyPortRanges, any / 4);
    const batch = PacketBatch.layout(cap, this.batchAt);
    this.words.set(
      [
        workers,
        t.portMask,
        ranges,
        t.ranges.length / 2,
        portUsed,
        endpointSet,
        setSlots - 1,
        any,
        t.anyPortRanges.length / 2,
        this.interfaceWordsAt,
        unitsAt,
        offsetsAt,
        batch.offset,
        batch.capturedLength,
        batch.originalLength,
        batch.interfaceIndex,
        batch.timestamp,
        batch.flags,
        batch.optionsOffset,
        batch.optionsLength,
        batch.recordOffset,
        this.routesAt,
        this.indexesAt,
        this.indexBytes,
        this.countsAt,
        staging,
        stagingBytes,
        stagingUsed,
      ],
      config / 4,
    );
    this.exports.configure(config);
    for (let i = 0; i < t.endpoints.length; i += 2)
      this.exports.addEndpoint(t.endpoints[i]!, t.endpoints[i + 1]!);
  }

  /** Whether a keyer for `workers` workers fits (route bytes name workers below 0xfe; the memory's 4 GiB). */
  static fits(
    workers: number,
    o: Pick<FrameKeyerOptions, 'maxRecordLength' | 'staging' | 'stagingBytes'> = {},
  ): boolean {
    const staging = o.staging
      ? FrameKeyer.stagingBytes(o.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH, o.stagingBytes)
      : 0;
    return workers < ROUTE_PUNT && STAGING_SLOTS * workers * staging < MAX_LAYOUT_BYTES / 2;
  }

  /** A region takes any one frame: a record's length and the slack after it, 8-byte aligned. */
  private static stagingBytes(maxRecordLength: number, asked?: number): number {
    const least = maxRecordLength + 16;
    return Math.max(least, asked ?? Math.max(MIN_STAGING_BYTES, maxRecordLength + 64 * 1024));
  }

  /** The module's memory, which workers read staged frames from (chunk 0 of their index). */
  get sharedMemory(): SharedArrayBuffer {
    return this.memory;
  }

  /** Starts a round: its frames are staged in slot `round % STAGING_SLOTS`. */
  startRound(round: number): void {
    if (this.staging) this.exports.startStaging(round % STAGING_SLOTS);
  }

  /** Options for openTrace: chunks, the batch and the pcapng walk in this module's memory. */
  get readerOptions(): TraceReaderOptions {
    return {
      chunkSize: this.chunkSize,
      maxRecordLength: this.maxRecordLength,
      batchCapacity: this.batchCapacity,
      allocateChunk: this.allocateChunk,
      packetBatch: this.packetBatch,
      packetBlockWalker: this,
    };
  }

  /** The reader's allocateChunk: the two chunk slots in turn (the reader holds one chunk at a time). */
  private readonly allocateChunk = (size: number): Uint8Array => {
    if (size > this.slotSize)
      throw new Error(`trace chunk of ${size} bytes exceeds the keyer's ${this.slotSize}`);
    const at = this.slots[this.nextSlot]!;
    this.nextSlot ^= 1;
    return new Uint8Array(this.memory, at, size);
  };

  /** The reader's one batch, its arrays where the module reads and writes them. */
  private readonly packetBatch = (interfaces: readonly TraceInterface[]): PacketBatch => {
    if (this.batch) throw new Error('a frame keyer serves one trace reader');
    this.batch = new PacketBatch(interfaces, this.batchCapacity, {
      buffer: this.memory,
      byteOffset: this.batchAt,
    });
    return this.batch;
  };

  walk(
    buf: Uint8Array,
    pos: number,
    end: number,
    batch: PacketBatch,
    firstInterface: number,
    interfaceCount: number,
    scales: readonly TimestampScale[],
    maxRecordLength: number,
  ): number {
    if (batch !== this.batch || buf.buffer !== this.memory || scales.length > MAX_INTERFACES) return pos;
    for (; this.timestampTermsKnown < scales.length; this.timestampTermsKnown++) {
      const s = scales[this.timestampTermsKnown]!;
      this.unitNanoseconds[this.timestampTermsKnown] = BigInt(s.nanosecondsPerUnit);
      this.offsetNanoseconds[this.timestampTermsKnown] =
        s.nanosecondsPerUnit === 0 ? 0n : s.offsetNanoseconds;
    }
    const reached = this.exports.walkEnhancedPackets(
      buf.byteOffset,
      pos,
      end,
      batch.count,
      batch.capacity,
      firstInterface,
      interfaceCount,
      maxRecordLength,
    );
    batch.count += this.exports.walkedPackets();
    return reached;
  }

  /** Whether the module can key this batch: the reader's, on one of the module's chunks. */
  takes(b: PacketBatch): boolean {
    return b === this.batch && b.data.buffer === this.memory && b.interfaces.length <= MAX_INTERFACES;
  }

  /**
   * Readies the module for a batch it takes. `interfaceWord(at)` gives the interfaces it has not
   * seen yet: name id | link type << 16, or -1 for an interface whose frames are skipped.
   */
  prepare(b: PacketBatch, interfaceWord: (at: number) => number): void {
    for (; this.interfaceWordsKnown < b.interfaces.length; this.interfaceWordsKnown++)
      this.words[this.interfaceWordsAt / 4 + this.interfaceWordsKnown] = interfaceWord(
        this.interfaceWordsKnown,
      );
  }

  /** Routes frames from..to-1 of the batch; returns how many are left to the caller (ROUTE_PUNT). */
  route(b: PacketBatch, from: number, to: number): number {
    return this.exports.route(b.data.byteOffset, from, to);
  }

  routeOf(i: number): number {
    return this.bytes[this.routesAt + i]!;
  }

  setRoute(i: number, worker: number): void {
    this.bytes[this.routesAt + i] = worker;
  }

  /**
   * Appends routed frames from..to-1 to their workers' indexes (and stages them); returns where
   * it stopped: `to`, or earlier when a worker's staging region is full (end the round, then go
   * on). `skipped` tells how many it skipped.
   */
  append(b: PacketBatch, from: number, to: number): number {
    const stop = this.exports.append(b.data.byteOffset, from, to, b.firstNumber, b.dataFileOffset);
    this.skipped = this.exports.appendSkipped();
    return stop;
  }

  /** Worker w's index so far, in a buffer of its own (to transfer); starts a new one. */
  take(w: number): { buffer: ArrayBuffer; count: number } {
    const count = this.words[this.countsAt / 4 + w]!;
    const size = Math.max(count, 1) * INDEX_WORDS * 4;
    let buffer = this.returned.pop();
    while (buffer !== undefined && buffer.byteLength < size) buffer = this.returned.pop();
    buffer ??= new ArrayBuffer(this.indexBytes);
    const from = (this.indexesAt + w * this.indexBytes) / 4;
    new Uint32Array(buffer).set(this.words.subarray(from, from + count * INDEX_WORDS));
    this.words[this.countsAt / 4 + w] = 0;
    return { buffer, count };
  }

  /** A buffer `take` handed out, back from the worker that read it. */
  giveBack(buffer: ArrayBuffer): void {
    if (buffer.byteLength > 0) this.returned.push(buffer);
  }
}
