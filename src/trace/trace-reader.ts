// Streams a pcap or pcapng trace in chunks (so files larger than memory work), decoding packets
// into batches without copying them. The same pump serves a synchronous batch loop (what the
// engine uses) and async iterators; only the read call differs.

import { type ByteSource, FdSource, MemorySource } from './byte-source.js';
import { DEFAULT_BATCH_CAPACITY, PacketBatch } from './packet-batch.js';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapDecoder, type PcapHeader } from './pcap-decoder.js';
import { BLOCK_SHB, PcapngDecoder } from './pcapng-decoder.js';
import { TraceProblemLog, type TraceProblems } from './problems.js';
import type { DecoderContext, PacketBlockWalker, RecordDecoder, TraceFormat } from './record-decoder.js';
import type { TimestampScale } from './timestamp.js';
import type { TraceInterface } from './trace-interface.js';
import type { TracePacket } from './trace-packet.js';

export interface TraceReaderOptions {
  /** Bytes read at a time (default 4 MiB); a larger block gets a chunk of its own size. */
  readonly chunkSize?: number;
  /** Packets per batch (default 8192). */
  readonly batchCapacity?: number;
  /** Largest pcap record or pcapng block believed (default 16 MiB, as libpcap and Wireshark). */
  readonly maxRecordLength?: number;
  /** How many problems to keep with their positions (default 10). */
  readonly keepProblems?: number;
  /**
   * Allocates the chunks read into (default: fresh memory, or, when only batches are taken, the
   * chunk before last again), e.g. in shared or WebAssembly memory. The reader never writes to a
   * chunk again once it has asked for the next, so packet views stay valid while the allocator
   * does not hand that chunk out again.
   */
  readonly allocateChunk?: (size: number) => Uint8Array;
  /** Makes the reader's one batch (e.g. with its arrays in WebAssembly memory); a fresh one otherwise. */
  readonly packetBatch?: (interfaces: readonly TraceInterface[]) => PacketBatch;
  /** A faster decoder for runs of pcapng packet blocks, which decodes into `packetBatch`'s batch. */
  readonly packetBlockWalker?: PacketBlockWalker;
}

export interface TraceSummary {
  readonly format: TraceFormat | undefined;
  /** Classic pcap file header, for pcap files. */
  readonly pcapHeader: PcapHeader | undefined;
  readonly packets: number;
  /** pcapng sections (1 for classic pcap). */
  readonly sections: number;
  readonly interfaces: readonly TraceInterface[];
  readonly problems: TraceProblems;
}

/**
 * Small enough that a chunk read, its records decoded and its frames copied into the engine stay
 * in a core's L2 cache (README, replay: faster than 4 MiB chunks on a 1 MiB L2).
 */
export const DEFAULT_CHUNK_SIZE = 512 * 1024;
export const DEFAULT_MAX_RECORD_LENGTH = 16 * 1024 * 1024;
const MIN_CHUNK_SIZE = 64;
const NEED_READ = Symbol('need read');

export class TraceReader {
  readonly problems: TraceProblemLog;
  readonly interfaces: TraceInterface[] = [];
  private readonly scales: TimestampScale[] = [];
  private readonly context: DecoderContext;
  private readonly chunkSize: number;
  private readonly allocate: (size: number) => Uint8Array;
  private readonly batch: PacketBatch;
  private decoder: RecordDecoder | undefined;
  private formatFound: TraceFormat | undefined;
  private buf: Uint8Array = new Uint8Array(0);
  /**
   * The chunk before this one, reused for the next when only batches are handed out (fresh
   * pages cost more than the read); packets handed out one by one keep views into their chunk.
   */
  private spare: Uint8Array | undefined;
  private reuseChunks = false;
  private readonly ownAllocator: boolean;
  private view: DataView = new DataView(this.buf.buffer);
  private pos = 0;
  private end = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private eof = false;
  private finished = false;
  /** The batch was handed out (or the chunk changed): reset it before decoding into it again. */
  private stale = true;
  private packetCount = 0;

  constructor(
    private readonly source: ByteSource,
    options: TraceReaderOptions = {},
  ) {
    this.problems = new TraceProblemLog(options.keepProblems ?? 10);
    this.context = {
      interfaces: this.interfaces,
      scales: this.scales,
      problems: this.problems,
      maxRecordLength: options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH,
      packetBlockWalker: options.packetBlockWalker,
    };
    this.chunkSize = Math.max(MIN_CHUNK_SIZE, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    this.allocate = options.allocateChunk ?? allocateUninitialised;
    this.ownAllocator = options.allocateChunk === undefined;
    this.batch =
      options.packetBatch?.(this.interfaces) ??
      new PacketBatch(this.interfaces, options.batchCapacity ?? DEFAULT_BATCH_CAPACITY);
  }

  get format(): TraceFormat | undefined {
    return this.formatFound;
  }

  /**
   * Reads synchronously, calling `onBatch` per batch (valid only during the call, but its
   * packet views stay valid); returning false stops. Closes the source at the end.
   */
  readSync(onBatch: (batch: PacketBatch) => unknown): TraceSummary {
    try {
      for (;;) {
        const r = this.pump();
        if (r === undefined) break;
        if (r === NEED_READ)
          this.filled(this.source.readSync(this.buf, this.end, this.buf.length - this.end));
        else if (onBatch(r) === false) break;
      }
    } finally {
      this.close();
    }
    return this.summary();
  }

  /** Batches, read asynchronously; each is valid until the next is requested. */
  batches(): AsyncGenerator<PacketBatch, TraceSummary> {
    this.reuseChunks = this.ownAllocator;
    return this.readBatches();
  }

  private async *readBatches(): AsyncGenerator<PacketBatch, TraceSummary> {
    try {
      for (;;) {
        const r = this.pump();
        if (r === undefined) break;
        if (r === NEED_READ)
          this.filled(await this.source.read(this.buf, this.end, this.buf.length - this.end));
        else yield r;
      }
    } finally {
      this.close();
    }
    return this.summary();
  }

  /** Every packet, materialised (each is independent and may be kept). */
  async *packets(): AsyncGenerator<TracePacket, TraceSummary> {
    const it = this.readBatches();
    for (;;) {
      const r = await it.next();
      if (r.done) return r.value;
      for (let i = 0; i < r.value.count; i++) yield r.value.packet(i);
    }
  }

  /** Synchronous batches (each valid until the next is requested). */
  batchesSync(): Generator<PacketBatch, TraceSummary> {
    this.reuseChunks = this.ownAllocator;
    return this.readBatchesSync();
  }

  private *readBatchesSync(): Generator<PacketBatch, TraceSummary> {
    try {
      for (;;) {
        const r = this.pump();
        if (r === undefined) break;
        if (r === NEED_READ)
          this.filled(this.source.readSync(this.buf, this.end, this.buf.length - this.end));
        else yield r;
      }
    } finally {
      this.close();
    }
    return this.summary();
  }

  /** Every packet, materialised, synchronously. */
  *packetsSync(): Generator<TracePacket, TraceSummary> {
    const it = this.readBatchesSync();
    for (;;) {
      const r = it.next();
      if (r.done) return r.value;
      for (let i = 0; i < r.value.count; i++) yield r.value.packet(i);
    }
  }

  summary(): TraceSummary {
    const d = this.decoder;
    return {
      format: this.formatFound,
      pcapHeader: d instanceof PcapDecoder ? d.header : undefined,
      packets: this.packetCount,
      sections: d instanceof PcapngDecoder ? d.sections : d ? 1 : 0,
      interfaces: [...this.interfaces],
      problems: this.problems.snapshot(),
    };
  }

  close(): void {
    this.finished = true;
    this.source.close();
  }

  /** Decodes what is buffered: a batch to hand out, NEED_READ, or undefined at the end. */
  private pump(): PacketBatch | typeof NEED_READ | undefined {
    const batch = this.batch;
    if (this.finished) return undefined;
    if (this.stale) {
      batch.reset(this.buf, this.view, this.base, this.packetCount + 1);
      this.stale = false;
    }
    const decoder = this.decoder ?? this.sniff();
    let needed = 4;
    if (decoder !== undefined) {
      this.pos = decoder.decode(this.buf, this.view, this.pos, this.end, this.base, batch);
      if (batch.count === batch.capacity) return this.emit();
      if (decoder.done) this.finished = true;
      needed = decoder.needed;
    }
    if (!this.finished && this.eof) {
      if (decoder !== undefined) decoder.finish(this.end - this.pos, this.base + this.pos);
      else this.problems.add('truncated', 0, this.end === 0 ? 'empty file' : 'file shorter than any header');
      this.finished = true;
    }
    if (this.finished) return batch.count > 0 ? this.emit() : undefined;
    if (this.pos + needed > this.buf.length) {
      // The batch points into this chunk: hand it out before the chunk is left behind.
      if (batch.count > 0) return this.emit();
      this.nextChunk(needed);
    }
    return NEED_READ;
  }

  private emit(): PacketBatch {
    this.packetCount += this.batch.count;
    this.stale = true;
    return this.batch;
  }

  private filled(n: number): void {
    if (n === 0) this.eof = true;
    else this.end += n;
  }

  /** Moves the undecoded tail into a fresh chunk big enough for `needed` bytes. */
  private nextChunk(needed: number): void {
    const tail = this.buf.subarray(this.pos, this.end);
    const size = Math.max(this.chunkSize, needed);
    const spare = this.spare;
    const chunk = spare !== undefined && spare.length >= size ? spare : this.allocate(size);
    chunk.set(tail);
    if (this.reuseChunks && this.buf.length > 0) this.spare = this.buf;
    this.base += this.pos;
    this.end = tail.length;
    this.pos = 0;
    this.buf = chunk;
    this.view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.stale = true;
  }

  /** Picks the decoder from the first four bytes. */
  private sniff(): RecordDecoder | undefined {
    if (this.end - this.pos < 4) return undefined;
    const le = this.view.getUint32(this.pos, true);
    const be = this.view.getUint32(this.pos, false);
    if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS || be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
      this.formatFound = 'pcap';
      this.decoder = new PcapDecoder(this.context);
    } else if (le === BLOCK_SHB) {
      this.formatFound = 'pcapng';
      this.decoder = new PcapngDecoder(this.context);
    } else {
      this.problems.stop(
        'bad-magic',
        0,
        `not a pcap or pcapng file (starts with 0x${be.toString(16).padStart(8, '0')})`,
      );
      this.finished = true;
    }
    return this.decoder;
  }
}

/** A chunk without zero-filling (every byte is overwritten by the read before it is looked at). */
function allocateUninitialised(size: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** A reader on a file (or `-` for standard input). */
export function openTrace(path: string, options?: TraceReaderOptions): TraceReader {
  return new TraceReader(path === '-' ? new FdSource(0) : FdSource.open(path), options);
}

/** A reader on bytes in memory. */
export function traceFromBytes(bytes: Uint8Array, options?: TraceReaderOptions): TraceReader {
  return new TraceReader(new MemorySource(bytes), options);
}
