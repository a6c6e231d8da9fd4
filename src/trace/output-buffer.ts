// The writers' buffer: records are laid out in place (no per-record allocation) and handed to
// the sink in large writes.

import type { ByteSink } from './byte-sink.js';

export const DEFAULT_OUTPUT_BUFFER = 1024 * 1024;

export class OutputBuffer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(
    private readonly sink: ByteSink,
    private readonly size = DEFAULT_OUTPUT_BUFFER,
  ) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` contiguous bytes at `pos`. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.replace(n);
  }

  /** Hands what is buffered to the sink. */
  flush(): void {
    if (this.pos === 0) return;
    const reusable = this.sink.write(this.buf.subarray(0, this.pos));
    this.pos = 0;
    if (!reusable || this.buf.length > this.size) this.replace(this.size);
  }

  /** Zeroes `n` bytes at `at` (padding). */
  zero(at: number, n: number): void {
    for (let i = 0; i < n; i++) this.buf[at + i] = 0;
  }

  private replace(size: number): void {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }
}
