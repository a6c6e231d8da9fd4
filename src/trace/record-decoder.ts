// The contract between the chunked reader and a format's decoder. A decoder is a resumable
// parser over whatever bytes the reader has: it never reads past `end`, and when the next
// header, record or block is incomplete it says how many bytes it needs from where it stopped.

import type { PacketBatch } from './packet-batch.js';
import type { TraceProblemLog } from './problems.js';
import type { TimestampScale } from './timestamp.js';
import type { TraceInterface } from './trace-interface.js';

export type TraceFormat = 'pcap' | 'pcapng';

/** State shared by the reader and its decoder. */
export interface DecoderContext {
  readonly interfaces: TraceInterface[];
  /** Timestamp conversion per interface, parallel to `interfaces`. */
  readonly scales: TimestampScale[];
  readonly problems: TraceProblemLog;
  /** Largest record or block accepted; a larger length is taken for a lie and stops reading. */
  readonly maxRecordLength: number;
  /** A faster decoder for runs of pcapng's common packet blocks, if the reader was given one. */
  readonly packetBlockWalker?: PacketBlockWalker | undefined;
}

/** A fast path for runs of pcapng Enhanced Packet Blocks (src/replay/frame-keyer.ts's, in WebAssembly). */
export interface PacketBlockWalker {
  /**
   * Decodes well-formed Enhanced Packet Blocks of a little-endian section from `buf[pos, end)`
   * into `batch` exactly as PcapngDecoder would, adding to its count, and stops at the first
   * block it leaves to the decoder (any other type, or anything the decoder would report);
   * returns the position reached, `pos` when it took none. The section's interface 0 is global
   * interface `firstInterface`, and it has declared `interfaceCount`.
   */
  walk(
    buf: Uint8Array,
    pos: number,
    end: number,
    batch: PacketBatch,
    firstInterface: number,
    interfaceCount: number,
    scales: readonly TimestampScale[],
    maxRecordLength: number,
  ): number;
}

export interface RecordDecoder {
  /**
   * Decodes from `buf[pos, end)` (`base` is the file offset of `buf[0]`) into `batch` until the
   * batch is full, the input is exhausted or the decoder is done; returns the position reached.
   */
  decode(buf: Uint8Array, view: DataView, pos: number, end: number, base: number, batch: PacketBatch): number;
  /** Bytes needed from the returned position before decoding can go on (0 when not waiting). */
  readonly needed: number;
  /** Nothing more will be decoded (end of a bad file). */
  readonly done: boolean;
  /** The input ended with `left` undecoded bytes at file offset `offset`. */
  finish(left: number, offset: number): void;
}
