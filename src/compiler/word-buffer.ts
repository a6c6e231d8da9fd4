// A growable array of 32-bit words, the unit every section of the table is built in.

export class WordBuffer {
  private words = new Uint32Array(256);
  length = 0;

  push(w: number): number {
    if (this.length === this.words.length) this.grow(this.length + 1);
    this.words[this.length] = w >>> 0;
    return this.length++;
  }

  pushAll(ws: ArrayLike<number>): number {
    const at = this.length;
    if (at + ws.length > this.words.length) this.grow(at + ws.length);
    for (let i = 0; i < ws.length; i++) this.words[at + i] = ws[i]! >>> 0;
    this.length += ws.length;
    return at;
  }

  /** Reserves n zero words; returns where they start. */
  alloc(n: number): number {
    const at = this.length;
    if (at + n > this.words.length) this.grow(at + n);
    this.words.fill(0, at, at + n);
    this.length += n;
    return at;
  }

  set(i: number, w: number): void {
    this.words[i] = w >>> 0;
  }

  get(i: number): number {
    return this.words[i]!;
  }

  view(): Uint32Array {
    return this.words.subarray(0, this.length);
  }

  private grow(min: number): void {
    let n = this.words.length * 2;
    while (n < min) n *= 2;
    const w = new Uint32Array(n);
    w.set(this.words.subarray(0, this.length));
    this.words = w;
  }
}
