// Writes classic libpcap files, for tools that read nothing else (tcpreplay, which the kernel
// conformance tests use to inject packets).

import { type ByteSink, FdSink } from './byte-sink.js';
import { LinkType } from './link-type.js';
import { DEFAULT_OUTPUT_BUFFER, OutputBuffer } from './output-buffer.js';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from './pcap-decoder.js';

export interface PcapWriterOptions {
  /** Link type of every packet (default Ethernet). */
  readonly linkType?: number;
  /** Snap length declared (default 262144). */
  readonly snapLength?: number;
  /** Nanosecond timestamps (magic a1b23c4d; default true) or microseconds (truncated). */
  readonly nanosecond?: boolean;
  /** Write big-endian (default: little-endian). */
  readonly bigEndian?: boolean;
  /** Bytes buffered before a write to the sink (default 1 MiB). */
  readonly bufferSize?: number;
}

const NS_PER_S = 1_000_000_000n;

export class PcapWriter {
  private readonly out: OutputBuffer;
  private readonly le: boolean;
  private readonly divisor: bigint;
  private packetCount = 0;
  private closed = false;

  constructor(
    private readonly sink: ByteSink,
    options: PcapWriterOptions = {},
  ) {
    const nanosecond = options.nanosecond ?? true;
    this.le = !options.bigEndian;
    this.divisor = nanosecond ? 1n : 1000n;
    this.out = new OutputBuffer(sink, options.bufferSize ?? DEFAULT_OUTPUT_BUFFER);
    const { out, le } = this;
    out.reserve(24);
    const { view } = out;
    view.setUint32(0, nanosecond ? PCAP_MAGIC_NS : PCAP_MAGIC_US, le);
    view.setUint16(4, 2, le);
    view.setUint16(6, 4, le);
    view.setUint32(8, 0, le); // thiszone
    view.setUint32(12, 0, le); // sigfigs
    view.setUint32(16, options.snapLength ?? 262144, le);
    view.setUint32(20, options.linkType ?? LinkType.Ethernet, le);
    out.pos = 24;
  }

  /** A writer on a new file. */
  static toFile(path: string, options?: PcapWriterOptions): PcapWriter {
    return new PcapWriter(FdSink.create(path), options);
  }

  get packets(): number {
    return this.packetCount;
  }

  /** Appends a record; `timestampNs` is nanoseconds since the epoch (0 to 2^32 s). */
  writePacket(timestampNs: bigint, data: Uint8Array, originalLength = data.length): void {
    const seconds = timestampNs / NS_PER_S;
    if (timestampNs < 0n || seconds > 0xffffffffn)
      throw new RangeError(`pcap writer: timestamp ${timestampNs} out of range`);
    const out = this.out;
    out.reserve(16 + data.length);
    const { view, buf } = out;
    const p = out.pos;
    const le = this.le;
    view.setUint32(p, Number(seconds), le);
    view.setUint32(p + 4, Number((timestampNs % NS_PER_S) / this.divisor), le);
    view.setUint32(p + 8, data.length, le);
    view.setUint32(p + 12, originalLength, le);
    buf.set(data, p + 16);
    out.pos = p + 16 + data.length;
    this.packetCount++;
  }

  flush(): void {
    this.out.flush();
  }

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
}
