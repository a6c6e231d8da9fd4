// The trace reader's chunks for `replay --workers N`, in shared memory so that workers read the
// frames where the reader put them (frame-index.ts). A chunk is handed out again once the reader
// has moved past it and every round of frames that points into it has been merged; until then
// it stays as it is. Each chunk is announced to the workers once, before the first round that
// uses it.

interface Chunk {
  readonly id: number;
  readonly bytes: Uint8Array;
  /** The last round with frames in it (-1: none yet). */
  lastRound: number;
}

export class SharedChunks {
  private readonly chunks: Chunk[] = [];
  private readonly byBuffer = new Map<ArrayBufferLike, Chunk>();
  private readonly unannounced: Chunk[] = [];
  /** The chunk the reader reads into now (and copies its undecoded tail out of). */
  private current: Chunk | undefined;
  private mergedUpTo = -1;

  /** The reader's allocateChunk. */
  readonly allocate = (size: number): Uint8Array => {
    let chunk = this.chunks.find(
      (c) => c !== this.current && c.lastRound <= this.mergedUpTo && c.bytes.length >= size,
    );
    if (!chunk) {
      chunk = { id: this.chunks.length, bytes: new Uint8Array(new SharedArrayBuffer(size)), lastRound: -1 };
      this.chunks.push(chunk);
      this.byBuffer.set(chunk.bytes.buffer, chunk);
      this.unannounced.push(chunk);
    }
    chunk.lastRound = -1;
    this.current = chunk;
    return chunk.bytes;
  };

  /** Notes that round `round` has frames in the chunk under `bytes`; returns the chunk's id. */
  use(bytes: Uint8Array, round: number): number {
    const chunk = this.byBuffer.get(bytes.buffer);
    if (!chunk) throw new Error('replay workers: a batch outside the shared chunks');
    chunk.lastRound = round;
    return chunk.id;
  }

  /** Every round up to `round` has been merged: chunks only they used may be read into again. */
  merged(round: number): void {
    this.mergedUpTo = round;
  }

  /** Chunks the workers have not been told about yet. */
  announce(): { id: number; buffer: SharedArrayBuffer }[] {
    return this.unannounced.splice(0).map((c) => ({ id: c.id, buffer: c.bytes.buffer as SharedArrayBuffer }));
  }
}
