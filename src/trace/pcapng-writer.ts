// Writes pcapng: one section (little-endian), an Interface Description Block per egress
// interface (declared on first use, as the format allows anywhere before the interface's first
// packet), and Enhanced Packet Blocks with nanosecond timestamps and an optional comment each.

import { type ByteSink, FdSink } from './byte-sink.js';
import { LinkType } from './link-type.js';
import { DEFAULT_OUTPUT_BUFFER, OutputBuffer } from './output-buffer.js';
import { BLOCK_EPB, BLOCK_IDB, BLOCK_SHB, BYTE_ORDER_MAGIC } from './pcapng-decoder.js';
import {
  EPB_FLAGS,
  IF_DESCRIPTION,
  IF_NAME,
  IF_TSRESOL,
  OPT_COMMENT,
  SHB_USERAPPL,
} from './pcapng-options.js';

export interface PcapngWriterOptions {
  /** `shb_userappl` of the section (default "nfwasm"). */
  readonly application?: string;
  /** Bytes buffered before a write to the sink (default 1 MiB). */
  readonly bufferSize?: number;
}

export interface WriterInterface {
  /** `if_name`, e.g. the egress device `eth0`. */
  readonly name: string;
  /** Link type of the packets written on it (default Ethernet). */
  readonly linkType?: number;
  /** Snap length declared (default 262144; 0 means unlimited). */
  readonly snapLength?: number;
  /** `if_description`. */
  readonly description?: string;
}

export interface PacketWriteOptions {
  /** `opt_comment`, e.g. `filter FORWARD #4 ACCEPT rules.v4:17`. */
  readonly comment?: string;
  /** Length on the wire when the data was cut (default: the data's length). */
  readonly originalLength?: number;
  /** `epb_flags` direction. */
  readonly direction?: 'inbound' | 'outbound';
}

const DEFAULT_SNAPLEN = 262144;
const encoder = new TextEncoder();
/** Comments repeat (one per rule verdict): encode each once. */
const COMMENT_CACHE_LIMIT = 4096;
const padding = (n: number): number => (4 - (n & 3)) & 3;

export class PcapngWriter {
  private readonly out: OutputBuffer;
  private readonly byName = new Map<string, number>();
  private readonly comments = new Map<string, Uint8Array>();
  private interfaceCount = 0;
  private packetCount = 0;
  private closed = false;

  constructor(
    private readonly sink: ByteSink,
    options: PcapngWriterOptions = {},
  ) {
    this.out = new OutputBuffer(sink, options.bufferSize ?? DEFAULT_OUTPUT_BUFFER);
    this.sectionHeader(options.application ?? 'nfwasm');
  }

  /** A writer on a new file. */
  static toFile(path: string, options?: PcapngWriterOptions): PcapngWriter {
    return new PcapngWriter(FdSink.create(path), options);
  }

  get packets(): number {
    return this.packetCount;
  }

  get interfaces(): number {
    return this.interfaceCount;
  }

  /** Declares an interface (writes its IDB now) and returns its ID. */
  addInterface(spec: WriterInterface): number {
    const name = encoder.encode(spec.name);
    const description = spec.description === undefined ? undefined : encoder.encode(spec.description);
    const options =
      4 +
      name.length +
      padding(name.length) +
      4 +
      4 +
      (description ? 4 + description.length + padding(description.length) : 0) +
      4;
    const length = 20 + options;
    const out = this.out;
    out.reserve(length);
    const { view } = out;
    let p = out.pos;
    view.setUint32(p, BLOCK_IDB, true);
    view.setUint32(p + 4, length, true);
    view.setUint16(p + 8, spec.linkType ?? LinkType.Ethernet, true);
    view.setUint16(p + 10, 0, true);
    view.setUint32(p + 12, spec.snapLength ?? DEFAULT_SNAPLEN, true);
    p = this.option(p + 16, IF_NAME, name);
    if (description) p = this.option(p, IF_DESCRIPTION, description);
    p = this.option(p, IF_TSRESOL, Uint8Array.of(9));
    view.setUint32(p, 0, true); // opt_endofopt
    view.setUint32(p + 4, length, true);
    out.pos = p + 8;
    return this.interfaceCount++;
  }

  /** The ID of the interface with this name and link type, declared on first use. */
  interfaceFor(name: string, linkType: number = LinkType.Ethernet): number {
    const key = `${linkType}/${name}`;
    let id = this.byName.get(key);
    if (id === undefined) {
      id = this.addInterface({ name, linkType });
      this.byName.set(key, id);
    }
    return id;
  }

  /** Appends an Enhanced Packet Block; `timestampNs` is nanoseconds since the epoch. */
  writePacket(
    interfaceId: number,
    timestampNs: bigint,
    data: Uint8Array,
    options?: PacketWriteOptions,
  ): void {
    if (!(interfaceId >= 0 && interfaceId < this.interfaceCount))
      throw new RangeError(`pcapng writer: no interface ${interfaceId}`);
    if (timestampNs < 0n) throw new RangeError(`pcapng writer: negative timestamp ${timestampNs}`);
    const comment = options?.comment === undefined ? undefined : this.encodeComment(options.comment);
    const direction = options?.direction;
    const padded = data.length + padding(data.length);
    let optionsLength = 0;
    if (comment) optionsLength += 4 + comment.length + padding(comment.length);
    if (direction) optionsLength += 8;
    if (optionsLength) optionsLength += 4;
    const length = 32 + padded + optionsLength;
    const out = this.out;
    out.reserve(length);
    const { view, buf } = out;
    const p = out.pos;
    const ts = BigInt.asUintN(64, timestampNs);
    view.setUint32(p, BLOCK_EPB, true);
    view.setUint32(p + 4, length, true);
    view.setUint32(p + 8, interfaceId, true);
    view.setUint32(p + 12, Number(ts >> 32n), true);
    view.setUint32(p + 16, Number(ts & 0xffffffffn), true);
    view.setUint32(p + 20, data.length, true);
    view.setUint32(p + 24, options?.originalLength ?? data.length, true);
    buf.set(data, p + 28);
    out.zero(p + 28 + data.length, padded - data.length);
    let q = p + 28 + padded;
    if (comment) q = this.option(q, OPT_COMMENT, comment);
    if (direction) {
      view.setUint32(q, EPB_FLAGS | (4 << 16), true);
      view.setUint32(q + 4, direction === 'inbound' ? 1 : 2, true);
      q += 8;
    }
    if (optionsLength) {
      view.setUint32(q, 0, true);
      q += 4;
    }
    view.setUint32(q, length, true);
    out.pos = q + 4;
    this.packetCount++;
  }

  /** Hands buffered blocks to the sink. */
  flush(): void {
    this.out.flush();
  }

  /** Flushes and waits for the sink to have room (call now and then when writing to a stream). */
  drain(): Promise<void> {
    this.out.flush();
    return this.sink.drain();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.out.flush();
    await this.sink.close();
  }

  private sectionHeader(application: string): void {
    const appl = encoder.encode(application);
    const length = 28 + 4 + appl.length + padding(appl.length) + 4;
    const out = this.out;
    out.reserve(length);
    const { view } = out;
    const p = out.pos;
    view.setUint32(p, BLOCK_SHB, true);
    view.setUint32(p + 4, length, true);
    view.setUint32(p + 8, BYTE_ORDER_MAGIC, true);
    view.setUint16(p + 12, 1, true);
    view.setUint16(p + 14, 0, true);
    view.setBigInt64(p + 16, -1n, true); // section length unknown: we stream
    const q = this.option(p + 24, SHB_USERAPPL, appl);
    view.setUint32(q, 0, true);
    view.setUint32(q + 4, length, true);
    out.pos = q + 8;
  }

  /** Writes one option at `p` (room already reserved); returns the position after it. */
  private option(p: number, code: number, value: Uint8Array): number {
    const { view, buf } = this.out;
    view.setUint16(p, code, true);
    view.setUint16(p + 2, value.length, true);
    buf.set(value, p + 4);
    const pad = padding(value.length);
    this.out.zero(p + 4 + value.length, pad);
    return p + 4 + value.length + pad;
  }

  private encodeComment(comment: string): Uint8Array {
    let bytes = this.comments.get(comment);
    if (bytes === undefined) {
      bytes = encoder.encode(comment);
      if (bytes.length > 0xffff) throw new RangeError('pcapng writer: comment longer than 65535 bytes');
      if (this.comments.size >= COMMENT_CACHE_LIMIT) this.comments.clear();
      this.comments.set(comment, bytes);
    }
    return bytes;
  }
}
