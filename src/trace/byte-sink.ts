// Where writers' bytes go: a file descriptor (synchronous, so the packet loop never awaits), a
// Node writable stream (asynchronous, with backpressure through `drain`), or memory.

import { closeSync, openSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

export interface ByteSink {
  /**
   * Takes `chunk`. Returns true when it was written out already (the caller may reuse the
   * buffer), false when the sink keeps a reference (the caller must not touch it again).
   */
  write(chunk: Uint8Array): boolean;
  /** Resolves once the sink has room again (stream backpressure); immediate for files. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** A file descriptor, written synchronously; `ownsFd` closes it with the sink. */
export class FdSink implements ByteSink {
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly ownsFd = false,
  ) {}

  /** Creates (or truncates) a file. */
  static create(path: string): FdSink {
    return new FdSink(openSync(path, 'w'), true);
  }

  write(chunk: Uint8Array): boolean {
    let done = 0;
    while (done < chunk.length) done += writeSync(this.fd, chunk, done, chunk.length - done);
    return true;
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.ownsFd && !this.closed) closeSync(this.fd);
    this.closed = true;
    return Promise.resolve();
  }
}

/** A Node writable stream. Chunks are handed over, not copied. */
export class StreamSink implements ByteSink {
  private error: Error | undefined;
  private full = false;

  constructor(private readonly stream: Writable) {
    stream.on('error', (e: Error) => {
      this.error ??= e;
    });
  }

  write(chunk: Uint8Array): boolean {
    if (this.error) throw this.error;
    if (!this.stream.write(chunk)) this.full = true;
    return false;
  }

  drain(): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (!this.full) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.stream.off('error', onError);
        this.full = false;
        resolve();
      };
      const onError = (e: Error): void => {
        this.stream.off('drain', onDrain);
        reject(e);
      };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
  }

  close(): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }
}

/** Collects everything written (tests, small outputs). */
export class MemorySink implements ByteSink {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  write(chunk: Uint8Array): boolean {
    this.chunks.push(chunk.slice());
    this.length += chunk.length;
    return true;
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Everything written so far, in one buffer. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Hands every chunk to a function (e.g. process.stdout.write), as a copy it may keep. */
export class FunctionSink implements ByteSink {
  constructor(private readonly fn: (chunk: Uint8Array) => void) {}

  write(chunk: Uint8Array): boolean {
    this.fn(chunk.slice());
    return true;
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
