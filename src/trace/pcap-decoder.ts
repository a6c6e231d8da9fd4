// Classic libpcap files: a 24-byte file header (magic a1b2c3d4 for microseconds or a1b23c4d for
// nanoseconds, in the writer's byte order), then 16-byte record headers each followed by the
// captured bytes.

import type { PacketBatch } from './packet-batch.js';
import type { DecoderContext, RecordDecoder } from './record-decoder.js';
import { MICROSECONDS, NANOSECONDS, TimestampScale } from './timestamp.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export interface PcapHeader {
  readonly littleEndian: boolean;
  readonly nanosecond: boolean;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly snapLength: number;
  readonly linkType: number;
  /** FCS length from the link-type field's upper bits (when its F bit is set). */
  readonly fcsLength: number | undefined;
}

export class PcapDecoder implements RecordDecoder {
  needed = 0;
  done = false;
  header: PcapHeader | undefined;
  private littleEndian = true;
  private scale = new TimestampScale(MICROSECONDS);
  private snapLength = 0;

  constructor(private readonly context: DecoderContext) {}

  decode(
    _buf: Uint8Array,
    view: DataView,
    start: number,
    end: number,
    base: number,
    batch: PacketBatch,
  ): number {
    let pos = start;
    if (this.header === undefined) {
      if (end - pos < FILE_HEADER) {
        this.needed = FILE_HEADER;
        return pos;
      }
      if (!this.readHeader(view, pos, base)) return pos;
      pos += FILE_HEADER;
    }
    const { problems, maxRecordLength } = this.context;
    const le = this.littleEndian;
    const scale = this.scale;
    const snap = this.snapLength;
    const { offset, capturedLength, originalLength, interfaceIndex, timestampWords, flags } = batch;
    const { optionsLength, recordOffset, capacity } = batch;
    let i = batch.count;
    while (i < capacity) {
      if (end - pos < RECORD_HEADER) {
        this.needed = RECORD_HEADER;
        batch.count = i;
        return pos;
      }
      const captured = view.getUint32(pos + 8, le);
      const original = view.getUint32(pos + 12, le);
      if (captured > maxRecordLength) {
        problems.stop(
          'bad-length',
          base + pos,
          `captured length ${captured} over the ${maxRecordLength} limit`,
        );
        this.done = true;
        break;
      }
      if (end - pos < RECORD_HEADER + captured) {
        this.needed = RECORD_HEADER + captured;
        batch.count = i;
        return pos;
      }
      if (captured !== original) this.noteLengths(captured, original, base + pos);
      else if (captured > snap && snap !== 0)
        problems.add('captured-exceeds-snaplen', base + pos, `captured ${captured} > snaplen ${snap}`);
      scale.storeSecondsFraction(view.getUint32(pos, le), view.getUint32(pos + 4, le), timestampWords, i);
      offset[i] = pos + RECORD_HEADER;
      capturedLength[i] = captured;
      originalLength[i] = original;
      interfaceIndex[i] = 0;
      flags[i] = 0;
      optionsLength[i] = 0;
      recordOffset[i] = pos;
      i++;
      pos += RECORD_HEADER + captured;
    }
    batch.count = i;
    this.needed = 0;
    return pos;
  }

  finish(left: number, offset: number): void {
    if (left > 0 || this.header === undefined)
      this.context.problems.add(
        'truncated',
        offset,
        this.header === undefined ? 'file header cut short' : `last record cut short (${left} bytes)`,
      );
  }

  private noteLengths(captured: number, original: number, at: number): void {
    const { problems } = this.context;
    if (captured < original) problems.add('snaplen-cut', at, `captured ${captured} of ${original} bytes`);
    else problems.add('captured-exceeds-original', at, `captured ${captured} > original ${original}`);
  }

  private readHeader(view: DataView, pos: number, base: number): boolean {
    const { problems, interfaces, scales } = this.context;
    const magicLe = view.getUint32(pos, true);
    const le = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS;
    const magic = le ? magicLe : view.getUint32(pos, false);
    const nanosecond = magic === PCAP_MAGIC_NS;
    const versionMajor = view.getUint16(pos + 4, le);
    const versionMinor = view.getUint16(pos + 6, le);
    const snapLength = view.getUint32(pos + 16, le);
    const linkField = view.getUint32(pos + 20, le);
    // Bits 26-31: FCS length in 16-bit words, valid when bit 25 (F) is set.
    const fcsLength = linkField & 0x04000000 ? (linkField >>> 28) * 2 : undefined;
    this.header = {
      littleEndian: le,
      nanosecond,
      versionMajor,
      versionMinor,
      snapLength,
      linkType: linkField & 0xffff,
      fcsLength,
    };
    if (versionMajor !== 2) {
      problems.stop('unsupported-version', base + pos, `pcap version ${versionMajor}.${versionMinor}`);
      this.done = true;
      return false;
    }
    this.littleEndian = le;
    this.snapLength = snapLength;
    const resolution = nanosecond ? NANOSECONDS : MICROSECONDS;
    this.scale = new TimestampScale(resolution);
    interfaces.push({
      index: 0,
      section: 0,
      sectionIndex: 0,
      linkType: linkField & 0xffff,
      snapLength,
      name: undefined,
      description: undefined,
      resolution,
      offsetSeconds: 0n,
      fcsLength,
      littleEndian: le,
    });
    scales.push(this.scale);
    return true;
  }
}
