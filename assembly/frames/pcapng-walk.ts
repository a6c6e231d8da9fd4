// pcapng's common case in WebAssembly: a run of well-formed Enhanced Packet Blocks of a
// little-endian section, decoded into the batch as src/trace/pcapng-decoder.ts's packetBlock
// does. It stops at the first block that is anything else — another block type, a block not yet
// whole in the chunk, a length that does not check out, a packet cut short by the snap length, an
// unknown interface, a timestamp that does not convert exactly in 64 bits — and the decoder
// in JavaScript takes that block, problems and all.

import {
  capturedLengths,
  flags,
  interfaceIndexes,
  offsetNanoseconds,
  offsets,
  optionsLengths,
  optionsOffsets,
  originalLengths,
  recordOffsets,
  timestamps,
  unitNanoseconds,
} from './layout';

const BLOCK_EPB: u32 = 6;
/** src/trace/timestamp.ts's PACKET_TIME_MAX and MIN (±2^62 ns): times beyond go to the decoder, which saturates them. */
const TIME_MAX: i64 = ((<i64>0x3fffffff) << 32) | <i64>0xffffffff;
const TIME_MIN: i64 = -TIME_MAX - 1;

/** Packets the last walk added. */
let walked: i32 = 0;

export function walkedPackets(): i32 {
  return walked;
}

/**
 * Decodes EPBs from chunk[pos, end) into batch elements count.. (up to `capacity`), for a section
 * whose interface 0 is global interface `firstInterface` and which has declared `interfaceCount`;
 * returns the position after the last one decoded (walkedPackets tells how many).
 */
export function walkEnhancedPackets(
  chunk: usize,
  pos: u32,
  end: u32,
  count: i32,
  capacity: i32,
  firstInterface: u32,
  interfaceCount: u32,
  maxRecordLength: u32,
): u32 {
  let i = count;
  while (i < capacity && end - pos >= 12) {
    const block = chunk + pos;
    if (load<u32>(block) !== BLOCK_EPB) break;
    const length = load<u32>(block, 4);
    if (length < 32 || (length & 3) !== 0 || length > maxRecordLength || end - pos < length) break;
    if (load<u32>(block + length - 4) !== length) break;
    const id = load<u32>(block, 8);
    const captured = load<u32>(block, 20);
    const original = load<u32>(block, 24);
    const padded = (captured + 3) & ~(<u32>3);
    if (id >= interfaceCount || captured !== original || captured > length - 32 || <u32>32 + padded > length)
      break;
    const iface = <usize>(firstInterface + id);
    const unit = load<u64>(unitNanoseconds + (iface << 3));
    if (unit === 0) break;
    const units = ((<u64>load<u32>(block, 12)) << 32) | <u64>load<u32>(block, 16);
    // As TimestampScale: the product must be below 2^62, and the sum with the offset within the
    // packet time range (a product below 2^62 plus an int64 offset wraps at most into [-2^63, -2^62)).
    if (units > <u64>TIME_MAX / unit) break;
    const offset = load<i64>(offsetNanoseconds + (iface << 3));
    const ns = <i64>(units * unit) + offset;
    if (ns > TIME_MAX || ns < TIME_MIN) break;
    const k = (<usize>i) << 2;
    store<u32>(offsets + k, pos + 28);
    store<u32>(capturedLengths + k, captured);
    store<u32>(originalLengths + k, original);
    store<u32>(interfaceIndexes + k, <u32>iface);
    store<i64>(timestamps + ((<usize>i) << 3), ns);
    store<u8>(flags + i, 0);
    store<u32>(optionsOffsets + k, pos + 28 + padded);
    store<u32>(optionsLengths + k, length - 32 - padded);
    store<u32>(recordOffsets + k, pos);
    i++;
    pos += length;
  }
  walked = i - count;
  return pos;
}
