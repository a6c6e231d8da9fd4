// Where a reader's bytes come from: a file descriptor (regular file or pipe) or memory. Reads are
// sequential, so pipes such as standard input work as well as files.

import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';

export interface ByteSource {
  /** Reads up to `length` bytes into `buffer` at `offset`; 0 means the end. */
  readSync(buffer: Uint8Array, offset: number, length: number): number;
  read(buffer: Uint8Array, offset: number, length: number): Promise<number>;
  /** Total size when known (regular files, memory). */
  readonly size: number | undefined;
  close(): void;
}

/** A file descriptor; `ownsFd` closes it with the source. */
export class FdSource implements ByteSource {
  readonly size: number | undefined;
  /** Position for regular files (positional reads); null reads pipes sequentially. */
  private position: number | null;
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly ownsFd = false,
  ) {
    const stat = fstatSync(fd);
    this.size = stat.isFile() ? stat.size : undefined;
    this.position = stat.isFile() ? 0 : null;
  }

  static open(path: string): FdSource {
    return new FdSource(openSync(path, 'r'), true);
  }

  readSync(buffer: Uint8Array, offset: number, length: number): number {
    const n = readSync(this.fd, buffer, offset, length, this.position);
    if (this.position !== null) this.position += n;
    return n;
  }

  read(buffer: Uint8Array, offset: number, length: number): Promise<number> {
    return new Promise((resolve, reject) => {
      read(this.fd, buffer, offset, length, this.position, (error, n) => {
        if (error) return reject(error);
        if (this.position !== null) this.position += n;
        resolve(n);
      });
    });
  }

  close(): void {
    if (this.ownsFd && !this.closed) closeSync(this.fd);
    this.closed = true;
  }
}

/** Bytes already in memory (tests, fuzzing, files read whole). */
export class MemorySource implements ByteSource {
  private position = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get size(): number {
    return this.bytes.length;
  }

  readSync(buffer: Uint8Array, offset: number, length: number): number {
    const n = Math.min(length, this.bytes.length - this.position);
    buffer.set(this.bytes.subarray(this.position, this.position + n), offset);
    this.position += n;
    return n;
  }

  read(buffer: Uint8Array, offset: number, length: number): Promise<number> {
    return Promise.resolve(this.readSync(buffer, offset, length));
  }

  close(): void {}
}
