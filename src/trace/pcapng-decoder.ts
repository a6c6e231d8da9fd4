// pcapng files: a sequence of sections, each a Section Header Block (which fixes the byte order)
// followed by Interface Description Blocks and packet blocks. Every block is framed as
// (type, total length, body, total length again), which is what lets unknown blocks be skipped
// and lying lengths be caught.

import type { PacketBatch } from './packet-batch.js';
import { PacketFlag } from './packet-batch.js';
import {
  forEachOption,
  IF_DESCRIPTION,
  IF_FCSLEN,
  IF_NAME,
  IF_TSOFFSET,
  IF_TSRESOL,
  optionString,
} from './pcapng-options.js';
import type { DecoderContext, RecordDecoder } from './record-decoder.js';
import { MICROSECONDS, type TimestampResolution, TimestampScale } from './timestamp.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 1;
export const BLOCK_OPB = 2;
export const BLOCK_SPB = 3;
export const BLOCK_NRB = 4;
export const BLOCK_ISB = 5;
export const BLOCK_EPB = 6;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Blocks that carry no packets and are skipped without comment. */
const IGNORED_BLOCKS: ReadonlySet<number> = new Set([
  BLOCK_NRB,
  BLOCK_ISB,
  7, // IRIG timestamp (obsolete)
  8, // ARINC 429 (obsolete)
  9, // systemd journal export
  10, // decryption secrets
  0x101, // Hone project machine info
  0x102, // Hone project connection event
  0x201, // Sysdig machine info and events
  0x202,
  0x203,
  0x204,
  0x205,
  0x206,
  0x207,
  0x208,
  0x209,
  0x20a,
  0x20b,
  0x0bad, // custom, copiable
  0x40000bad, // custom, not copiable
]);
const BLOCK_HEADER = 12;

export class PcapngDecoder implements RecordDecoder {
  needed = 0;
  done = false;
  /** Sections seen so far. */
  sections = 0;
  private littleEndian = true;
  /** The current section has a major version other than 1: its blocks are skipped. */
  private skippingSection = false;
  /** Global index of the current section's interface 0, and how many it has declared. */
  private sectionFirstInterface = 0;
  private sectionInterfaces = 0;

  constructor(private readonly context: DecoderContext) {}

  decode(
    buf: Uint8Array,
    view: DataView,
    start: number,
    end: number,
    base: number,
    batch: PacketBatch,
  ): number {
    const { problems, maxRecordLength, packetBlockWalker: walker, scales } = this.context;
    let pos = start;
    while (batch.count < batch.capacity) {
      if (walker !== undefined && this.littleEndian && !this.skippingSection) {
        const reached = walker.walk(
          buf,
          pos,
          end,
          batch,
          this.sectionFirstInterface,
          this.sectionInterfaces,
          scales,
          maxRecordLength,
        );
        // What the walker left (if anything) is for the loop below, once the batch has room.
        if (reached !== pos) {
          pos = reached;
          continue;
        }
      }
      if (end - pos < BLOCK_HEADER) {
        this.needed = BLOCK_HEADER;
        return pos;
      }
      // The SHB type reads the same in both byte orders; its byte-order magic decides the rest.
      let le = this.littleEndian;
      const type = view.getUint32(pos, le);
      if (type === BLOCK_SHB) {
        const bom = view.getUint32(pos + 8, true);
        if (bom === BYTE_ORDER_MAGIC) le = true;
        else if (bom === 0x4d3c2b1a) le = false;
        else {
          problems.stop('bad-magic', base + pos, 'Section Header Block without a byte-order magic');
          this.done = true;
          return pos;
        }
      }
      const length = view.getUint32(pos + 4, le);
      if (length < BLOCK_HEADER || length % 4 !== 0 || length > maxRecordLength) {
        problems.stop('bad-length', base + pos, `block type 0x${type.toString(16)} length ${length}`);
        this.done = true;
        return pos;
      }
      if (end - pos < length) {
        this.needed = length;
        return pos;
      }
      const trailer = view.getUint32(pos + length - 4, le);
      if (trailer !== length) {
        problems.stop('length-mismatch', base + pos, `block length ${length}, trailing length ${trailer}`);
        this.done = true;
        return pos;
      }
      if (type === BLOCK_EPB) {
        if (!this.skippingSection) this.packetBlock(view, pos, length, base, batch, true);
      } else if (type === BLOCK_SHB) {
        if (!this.sectionHeader(view, pos, length, base, le)) return pos;
      } else if (this.skippingSection) {
        // Nothing in a section of an unknown major version can be trusted.
      } else if (type === BLOCK_IDB) this.interfaceDescription(buf, view, pos, length, base);
      else if (type === BLOCK_SPB) this.simplePacket(view, pos, length, base, batch);
      else if (type === BLOCK_OPB) this.packetBlock(view, pos, length, base, batch, false);
      else if (!IGNORED_BLOCKS.has(type))
        problems.add('unknown-block', base + pos, `block type 0x${type.toString(16)}`);
      pos += length;
    }
    this.needed = 0;
    return pos;
  }

  finish(left: number, offset: number): void {
    if (left > 0) this.context.problems.add('truncated', offset, `last block cut short (${left} bytes)`);
  }

  private sectionHeader(view: DataView, pos: number, length: number, base: number, le: boolean): boolean {
    const { problems, interfaces } = this.context;
    if (length < 28) {
      problems.stop('malformed-block', base + pos, `Section Header Block of ${length} bytes`);
      this.done = true;
      return false;
    }
    this.littleEndian = le;
    this.sections++;
    this.sectionFirstInterface = interfaces.length;
    this.sectionInterfaces = 0;
    const major = view.getUint16(pos + 12, le);
    const minor = view.getUint16(pos + 14, le);
    this.skippingSection = major !== 1;
    if (this.skippingSection)
      problems.add('unsupported-version', base + pos, `pcapng section version ${major}.${minor} skipped`);
    return true;
  }

  private interfaceDescription(
    buf: Uint8Array,
    view: DataView,
    pos: number,
    length: number,
    base: number,
  ): void {
    const { problems, interfaces, scales } = this.context;
    const le = this.littleEndian;
    if (length < 20) {
      problems.add('malformed-block', base + pos, `Interface Description Block of ${length} bytes`);
      return;
    }
    let name: string | undefined;
    let description: string | undefined;
    let resolution: TimestampResolution = MICROSECONDS;
    let offsetSeconds = 0n;
    let fcsLength: number | undefined;
    const complete = forEachOption(view, pos + 16, pos + length - 4, le, (code, start, size) => {
      if (code === IF_NAME) name = optionString(buf, start, size);
      else if (code === IF_DESCRIPTION) description = optionString(buf, start, size);
      else if (code === IF_TSRESOL && size === 1) {
        const r = buf[start]!;
        resolution = { base: r & 0x80 ? 2 : 10, exponent: r & 0x7f };
      } else if (code === IF_TSOFFSET && size === 8) offsetSeconds = view.getBigInt64(start, le);
      else if (code === IF_FCSLEN && size === 1) fcsLength = buf[start]!;
    });
    if (!complete)
      problems.add('malformed-option', base + pos, 'Interface Description Block options overrun');
    const index = interfaces.length;
    interfaces.push({
      index,
      section: this.sections - 1,
      sectionIndex: this.sectionInterfaces++,
      linkType: view.getUint16(pos + 8, le),
      snapLength: view.getUint32(pos + 12, le),
      name,
      description,
      resolution,
      offsetSeconds,
      fcsLength,
      littleEndian: le,
    });
    scales.push(new TimestampScale(resolution, offsetSeconds));
  }

  /** Enhanced Packet Block (`enhanced`) or the obsolete Packet Block, whose layout is the same but for a 16-bit interface ID. */
  private packetBlock(
    view: DataView,
    pos: number,
    length: number,
    base: number,
    batch: PacketBatch,
    enhanced: boolean,
  ): void {
    const le = this.littleEndian;
    if (length < 32) {
      this.context.problems.add('malformed-block', base + pos, `packet block of ${length} bytes`);
      return;
    }
    const id = enhanced ? view.getUint32(pos + 8, le) : view.getUint16(pos + 8, le);
    const captured = view.getUint32(pos + 20, le);
    const original = view.getUint32(pos + 24, le);
    const padded = (captured + 3) & ~3;
    if (captured > length - 32 || 32 + padded > length) {
      this.context.problems.add(
        'packet-exceeds-block',
        base + pos,
        `captured length ${captured} in a ${length}-byte block`,
      );
      return;
    }
    if (id >= this.sectionInterfaces) {
      this.context.problems.add(
        'unknown-interface',
        base + pos,
        `interface ${id} of ${this.sectionInterfaces}`,
      );
      return;
    }
    const iface = this.sectionFirstInterface + id;
    if (captured !== original) this.noteLengths(captured, original, iface, base + pos);
    const i = batch.count++;
    if (
      !this.context.scales[iface]!.storeUnits(
        view.getUint32(pos + 12, le),
        view.getUint32(pos + 16, le),
        batch.timestampWords,
        batch.timestamp,
        i,
      )
    )
      this.context.problems.add('timestamp-overflow', base + pos, 'timestamp saturated');
    batch.offset[i] = pos + 28;
    batch.capturedLength[i] = captured;
    batch.originalLength[i] = original;
    batch.interfaceIndex[i] = iface;
    batch.flags[i] = 0;
    batch.optionsOffset[i] = pos + 28 + padded;
    batch.optionsLength[i] = length - 32 - padded;
    batch.recordOffset[i] = pos;
  }

  private simplePacket(view: DataView, pos: number, length: number, base: number, batch: PacketBatch): void {
    const { problems, interfaces } = this.context;
    if (length < 16) {
      problems.add('malformed-block', base + pos, `Simple Packet Block of ${length} bytes`);
      return;
    }
    if (this.sectionInterfaces === 0) {
      problems.add('unknown-interface', base + pos, 'Simple Packet Block before any interface');
      return;
    }
    const iface = this.sectionFirstInterface;
    const original = view.getUint32(pos + 8, this.littleEndian);
    const snap = interfaces[iface]!.snapLength;
    // The captured length is implied: the original length cut to the snap length.
    const captured = snap !== 0 && snap < original ? snap : original;
    if (captured > length - 16) {
      problems.add(
        'packet-exceeds-block',
        base + pos,
        `captured length ${captured} in a ${length}-byte block`,
      );
      return;
    }
    if (captured !== original) this.noteLengths(captured, original, iface, base + pos);
    const i = batch.count++;
    batch.timestamp[i] = 0n;
    batch.offset[i] = pos + 12;
    batch.capturedLength[i] = captured;
    batch.originalLength[i] = original;
    batch.interfaceIndex[i] = iface;
    batch.flags[i] = PacketFlag.NoTimestamp;
    batch.optionsLength[i] = 0;
    batch.recordOffset[i] = pos;
  }

  private noteLengths(captured: number, original: number, iface: number, at: number): void {
    const { problems, interfaces } = this.context;
    if (captured > original) {
      problems.add('captured-exceeds-original', at, `captured ${captured} > original ${original}`);
      return;
    }
    problems.add('snaplen-cut', at, `captured ${captured} of ${original} bytes`);
    const snap = interfaces[iface]!.snapLength;
    if (snap !== 0 && captured > snap)
      problems.add('captured-exceeds-snaplen', at, `captured ${captured} > snaplen ${snap}`);
  }
}
