// The main thread's per-frame work for `replay --workers N` on a trace file, in WebAssembly
// (assembly/sharding/index.ts): which worker each frame goes to (connection-sharding.ts's keys,
// bit for bit) and each worker's frame index (frame-index.ts's layout). In JavaScript keying and
// indexing cost 60–110 ns a frame, time taken from the two cores the workers need; here a batch
// is a handful of calls. The reader reads its chunks straight into this module's memory
// (allocateChunk), and the batch's arrays are copied in with one `set` each. Frames the module
// does not key — IPv4 fragments, whose datagram's key connection-sharding.ts remembers, and IPv6
// — come back marked, and the caller keys them there (`setRoute`).
//
// The memory is laid out once and never grows: growing would detach the chunk the reader is
// decoding. It reserves two chunks big enough for the largest record the reader believes.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PacketBatch } from '../trace/index.js';
import { DEFAULT_MAX_RECORD_LENGTH } from '../trace/trace-reader.js';
import type { ConnectionSharding } from './connection-sharding.js';

/** A frame's route besides its worker: its interface is skipped, or it is for the caller to key. */
export const ROUTE_SKIPPED = 0xff;
export const ROUTE_PUNT = 0xfe;
/** Interfaces of a trace the module takes (name ids are 16 bits in the index anyway). */
const MAX_INTERFACES = 65536;
const INDEX_WORDS = 10;
const CONFIG_WORDS = 19;

interface ShardingExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  reserve(bytes: number): number;
  configure(words: number): void;
  addEndpoint(address: number, port: number): void;
  route(data: number, from: number, to: number): number;
  append(data: number, from: number, to: number, firstNumber: number, dataFileOffset: number): number;
}

interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (m: object, imports: object) => { readonly exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;
function shardingModule(): object {
  compiled ??= new WA.Module(
    readFileSync(fileURLToPath(new URL('../../build/sharding.wasm', import.meta.url))),
  );
  return compiled;
}

export interface FrameKeyerOptions {
  /** The reader's chunk size and largest record (its options' defaults otherwise). */
  readonly chunkSize: number;
  readonly maxRecordLength?: number;
  /** The reader's batch capacity. */
  readonly batchCapacity: number;
  /** Frames per round: the most one worker's index holds. */
  readonly roundPackets: number;
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

export class FrameKeyer {
  private readonly exports: ShardingExports;
  private readonly memory: ArrayBuffer;
  private readonly bytes: Uint8Array;
  private readonly words: Uint32Array;
  private readonly slots: readonly [number, number];
  private readonly slotSize: number;
  private nextSlot = 0;
  private interfaceCount = 0;
  private readonly interfacesAt: number;
  private readonly offsetsAt: number;
  private readonly lengthsAt: number;
  private readonly interfaceIndexesAt: number;
  private readonly timestampsAt: number;
  private readonly flagsAt: number;
  private readonly routesAt: number;
  private readonly countsAt: number;
  private readonly indexesAt: number;
  private readonly indexBytes: number;
  private readonly batchCapacity: number;
  /** Frames a round may hold: the most one worker's index takes. */
  readonly roundPackets: number;
  /** Index buffers the workers handed back, to fill again. */
  private readonly returned: ArrayBuffer[] = [];

  constructor(sharding: ConnectionSharding, workers: number, o: FrameKeyerOptions) {
    const t = sharding.keyingTables();
    const setSlots = 2 ** Math.ceil(Math.log2(Math.max(16, t.endpoints.length)));
    const cap = o.batchCapacity;
    this.batchCapacity = cap;
    this.roundPackets = o.roundPackets;
    this.slotSize = Math.max(o.chunkSize, (o.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH) + 64);
    this.indexBytes = o.roundPackets * INDEX_WORDS * 4;
    this.exports = new WA.Instance(shardingModule(), {}).exports as ShardingExports;
    const l = new Layout(this.exports.reserve(0));
    const config = l.take(CONFIG_WORDS * 4);
    const ranges = l.take(t.ranges.byteLength);
    const portUsed = l.take(65536);
    const endpointSet = l.take(setSlots * 8);
    const any = l.take(t.anyPortRanges.byteLength);
    this.interfacesAt = l.take(MAX_INTERFACES * 4);
    this.offsetsAt = l.take(cap * 4);
    this.lengthsAt = l.take(cap * 4);
    this.interfaceIndexesAt = l.take(cap * 4);
    this.timestampsAt = l.take(cap * 8);
    this.flagsAt = l.take(cap);
    this.routesAt = l.take(cap);
    this.countsAt = l.take(workers * 4);
    this.indexesAt = l.take(workers * this.indexBytes);
    this.slots = [l.take(this.slotSize), l.take(this.slotSize)];
    this.exports.reserve(l.size - this.exports.reserve(0));
    // Views only now: reserving grew the memory, which replaces its buffer.
    this.memory = this.exports.memory.buffer;
    this.bytes = new Uint8Array(this.memory);
    this.words = new Uint32Array(this.memory);
    this.words.set(t.ranges, ranges / 4);
    this.words.set(t.anyPortRanges, any / 4);
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
        this.interfacesAt,
        this.offsetsAt,
        this.lengthsAt,
        this.interfaceIndexesAt,
        this.timestampsAt,
        this.flagsAt,
        this.routesAt,
        this.indexesAt,
        this.indexBytes,
        this.countsAt,
      ],
      config / 4,
    );
    this.exports.configure(config);
    for (let i = 0; i < t.endpoints.length; i += 2)
      this.exports.addEndpoint(t.endpoints[i]!, t.endpoints[i + 1]!);
  }

  /** The reader's allocateChunk: the two chunk slots in turn (the reader holds one chunk at a time). */
  readonly allocateChunk = (size: number): Uint8Array => {
    if (size > this.slotSize)
      throw new Error(`trace chunk of ${size} bytes exceeds the keyer's ${this.slotSize}`);
    const at = this.slots[this.nextSlot]!;
    this.nextSlot ^= 1;
    return new Uint8Array(this.memory, at, size);
  };

  /** Whether the module can take this batch (its chunk is one of ours, its interfaces fit). */
  takes(b: PacketBatch): boolean {
    return (
      b.data.buffer === this.memory && b.count <= this.batchCapacity && b.interfaces.length <= MAX_INTERFACES
    );
  }

  /**
   * Copies a batch's arrays in. `interfaceWord(at)` gives the interfaces the module has not seen
   * yet: name id | link type << 16, or -1 for an interface whose frames are skipped.
   */
  load(b: PacketBatch, interfaceWord: (at: number) => number): void {
    const words = this.words;
    for (; this.interfaceCount < b.interfaces.length; this.interfaceCount++)
      words[this.interfacesAt / 4 + this.interfaceCount] = interfaceWord(this.interfaceCount);
    const n = b.count;
    words.set(b.offset.subarray(0, n), this.offsetsAt / 4);
    words.set(b.capturedLength.subarray(0, n), this.lengthsAt / 4);
    words.set(b.interfaceIndex.subarray(0, n), this.interfaceIndexesAt / 4);
    words.set(b.timestampWords.subarray(0, 2 * n), this.timestampsAt / 4);
    this.bytes.set(b.flags.subarray(0, n), this.flagsAt);
  }

  /** Routes frames from..to-1 of the loaded batch; returns how many are left to the caller (ROUTE_PUNT). */
  route(b: PacketBatch, from: number, to: number): number {
    return this.exports.route(b.data.byteOffset, from, to);
  }

  routeOf(i: number): number {
    return this.bytes[this.routesAt + i]!;
  }

  setRoute(i: number, worker: number): void {
    this.bytes[this.routesAt + i] = worker;
  }

  /** Appends routed frames from..to-1 to their workers' indexes; returns how many were skipped. */
  append(b: PacketBatch, from: number, to: number): number {
    return this.exports.append(b.data.byteOffset, from, to, b.firstNumber, b.dataFileOffset);
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
