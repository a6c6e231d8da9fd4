// The common shape of every checked header view: a window [off, end) over a byte buffer that can
// be re-pointed at another packet without allocating (one view serves a whole trace).

export abstract class ByteView {
  constructor(
    public buf: Uint8Array,
    public off = 0,
    public end = buf.length,
  ) {}

  /** Points the view at a header at `off` in `buf`, with bytes available up to `end`. */
  reset(buf: Uint8Array, off: number, end: number): this {
    this.buf = buf;
    this.off = off;
    this.end = end;
    return this;
  }
}
