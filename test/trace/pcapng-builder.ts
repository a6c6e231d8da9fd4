// Builds arbitrary pcapng bytes (either byte order, any block, any option) for fixtures and for
// edge cases no tool writes on request.

export type Option = readonly [code: number, value: Uint8Array | string];

const encoder = new TextEncoder();
const pad4 = (n: number): number => (n + 3) & ~3;

export class PcapngBuilder {
  private readonly parts: Uint8Array[] = [];
  private le = true;

  /** A Section Header Block; the following blocks use its byte order. */
  section(littleEndian: boolean, options: readonly Option[] = [], major = 1, minor = 0): this {
    this.le = littleEndian;
    const body = new Uint8Array(16);
    const v = new DataView(body.buffer);
    v.setUint32(0, 0x1a2b3c4d, littleEndian);
    v.setUint16(4, major, littleEndian);
    v.setUint16(6, minor, littleEndian);
    v.setBigInt64(8, -1n, littleEndian);
    return this.block(0x0a0d0d0a, body, options);
  }

  idb(linkType: number, snapLength: number, options: readonly Option[] = []): this {
    const body = new Uint8Array(8);
    const v = new DataView(body.buffer);
    v.setUint16(0, linkType, this.le);
    v.setUint32(4, snapLength, this.le);
    return this.block(1, body, options);
  }

  epb(
    iface: number,
    units: bigint,
    data: Uint8Array,
    original = data.length,
    options: readonly Option[] = [],
  ): this {
    return this.packet(6, iface, units, data, original, options);
  }

  /** Obsolete Packet Block (type 2): 16-bit interface ID and drops count. */
  opb(iface: number, units: bigint, data: Uint8Array, original = data.length): this {
    return this.packet(2, iface, units, data, original, []);
  }

  spb(original: number, data: Uint8Array): this {
    const body = new Uint8Array(4 + pad4(data.length));
    new DataView(body.buffer).setUint32(0, original, this.le);
    body.set(data, 4);
    return this.block(3, body, []);
  }

  /** Any block, framed; options appended after `body` when given. */
  block(type: number, body: Uint8Array, options: readonly Option[]): this {
    const opts = this.options(options);
    const length = 12 + body.length + opts.length;
    const out = new Uint8Array(length);
    const v = new DataView(out.buffer);
    v.setUint32(0, type, this.le);
    v.setUint32(4, length, this.le);
    out.set(body, 8);
    out.set(opts, 8 + body.length);
    v.setUint32(length - 4, length, this.le);
    this.parts.push(out);
    return this;
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }

  private packet(
    type: number,
    iface: number,
    units: bigint,
    data: Uint8Array,
    original: number,
    options: readonly Option[],
  ): this {
    const body = new Uint8Array(20 + pad4(data.length));
    const v = new DataView(body.buffer);
    if (type === 2) v.setUint16(0, iface, this.le);
    else v.setUint32(0, iface, this.le);
    v.setUint32(4, Number(units >> 32n), this.le);
    v.setUint32(8, Number(units & 0xffffffffn), this.le);
    v.setUint32(12, data.length, this.le);
    v.setUint32(16, original, this.le);
    body.set(data, 20);
    return this.block(type, body, options);
  }

  private options(options: readonly Option[]): Uint8Array {
    if (options.length === 0) return new Uint8Array(0);
    const parts = options.map(([code, value]) => {
      const bytes = typeof value === 'string' ? encoder.encode(value) : value;
      const out = new Uint8Array(4 + pad4(bytes.length));
      const v = new DataView(out.buffer);
      v.setUint16(0, code, this.le);
      v.setUint16(2, bytes.length, this.le);
      out.set(bytes, 4);
      return out;
    });
    parts.push(new Uint8Array(4)); // opt_endofopt
    return Buffer.concat(parts);
  }
}

export const u8 = (n: number): Uint8Array => Uint8Array.of(n);

export function i64(n: bigint, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, n, littleEndian);
  return out;
}
