// Where a worker of `replay --workers N` finds its frames: the trace's chunks are read into shared
// memory (shared-chunks.ts), so the main thread hands each worker only an index of its frames
// in them — no copy of the bytes on the main thread, whose time would otherwise be taken from
// the workers on a machine with as many cores as workers — and their places in the trace file,
// from which a worker reads them itself when it can (worker-protocol.ts traceFd). With a staging
// keyer (frame-keyer.ts) the chunk is its whole shared memory, id 0, and the offset where it
// copied the frame. Per frame, 10 words: chunk id, offset
// in the chunk, captured length, interface name id | link type << 16, timestamp (low, high
// words of the i64 ns), packet number (low, high words), the frame's offset in the trace file
// (low, high words), where a worker that reads the file itself finds it.

const WORDS = 10;

export class FrameIndexWriter {
  /** Buffers the worker handed back, to fill again (fresh ones cost a page fault per 4 KiB). */
  private readonly returned: ArrayBuffer[] = [];
  private words: Uint32Array;
  count = 0;

  constructor(private capacity = 8192) {
    this.words = new Uint32Array(capacity * WORDS);
  }

  append(
    chunk: number,
    offset: number,
    length: number,
    iif: number,
    linkType: number,
    timestampLo: number,
    timestampHi: number,
    number: number,
    fileOffset: number,
  ): void {
    if (this.count === this.capacity) this.grow();
    const w = this.words;
    const at = this.count * WORDS;
    w[at] = chunk;
    w[at + 1] = offset;
    w[at + 2] = length;
    w[at + 3] = iif | (linkType << 16);
    w[at + 4] = timestampLo;
    w[at + 5] = timestampHi;
    w[at + 6] = number >>> 0;
    w[at + 7] = Math.floor(number / 0x1_0000_0000);
    w[at + 8] = fileOffset >>> 0;
    w[at + 9] = Math.floor(fileOffset / 0x1_0000_0000);
    this.count++;
  }

  private grow(): void {
    const next = new Uint32Array(this.capacity * 2 * WORDS);
    next.set(this.words);
    this.words = next;
    this.capacity *= 2;
  }

  /** The index so far (its buffer, to transfer, and how many frames it holds); starts a new one. */
  take(): { buffer: ArrayBuffer; count: number } {
    const done = { buffer: this.words.buffer as ArrayBuffer, count: this.count };
    let next = this.returned.pop();
    while (next !== undefined && next.byteLength < this.capacity * WORDS * 4) next = this.returned.pop();
    this.words = next ? new Uint32Array(next) : new Uint32Array(this.capacity * WORDS);
    this.count = 0;
    return done;
  }

  /** A buffer `take` handed out, back from the worker that read it. */
  giveBack(buffer: ArrayBuffer): void {
    if (buffer.byteLength > 0) this.returned.push(buffer);
  }
}

/** One frame of an index, its bytes a view into a shared chunk. */
export interface IndexedFrame {
  readonly number: number;
  readonly timestampNs: bigint;
  readonly linkType: number;
  readonly interfaceName: string;
  readonly data: Uint8Array;
  readonly fileOffset: number;
}

/** A reader of an index, frame by frame, without allocating. */
export class FrameIndexReader {
  private readonly words: Uint32Array;

  constructor(
    buffer: ArrayBuffer,
    readonly count: number,
  ) {
    this.words = new Uint32Array(buffer, 0, count * WORDS);
  }

  chunk(i: number): number {
    return this.words[i * WORDS]!;
  }
  offset(i: number): number {
    return this.words[i * WORDS + 1]!;
  }
  length(i: number): number {
    return this.words[i * WORDS + 2]!;
  }
  iif(i: number): number {
    return this.words[i * WORDS + 3]! & 0xffff;
  }
  linkType(i: number): number {
    return this.words[i * WORDS + 3]! >>> 16;
  }
  timestampLo(i: number): number {
    return this.words[i * WORDS + 4]!;
  }
  timestampHi(i: number): number {
    return this.words[i * WORDS + 5]!;
  }
  number(i: number): number {
    return this.words[i * WORDS + 6]! + this.words[i * WORDS + 7]! * 0x1_0000_0000;
  }
  fileOffset(i: number): number {
    return this.words[i * WORDS + 8]! + this.words[i * WORDS + 9]! * 0x1_0000_0000;
  }

  /** The frames as objects (for engines that take them one by one). */
  *frames(chunks: ReadonlyMap<number, Uint8Array>, names: readonly string[]): Generator<IndexedFrame> {
    for (let i = 0; i < this.count; i++) {
      const chunk = chunks.get(this.chunk(i))!;
      const at = this.offset(i);
      yield {
        number: this.number(i),
        timestampNs: BigInt.asIntN(64, (BigInt(this.timestampHi(i)) << 32n) | BigInt(this.timestampLo(i))),
        linkType: this.linkType(i),
        interfaceName: names[this.iif(i)]!,
        data: chunk.subarray(at, at + this.length(i)),
        fileOffset: 0,
      };
    }
  }
}
