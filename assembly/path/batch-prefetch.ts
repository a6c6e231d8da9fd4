// Overlapping the cache misses of the next frames of a batch. With many live connections a
// frame's flow-cache set, its connection's record and its hash chain are rarely in the
// processor's caches, and the packet path reaches them one after the other, a whole memory
// latency each. So, for a group of frames, each step first works out the addresses of every
// frame (hashing, from what earlier steps brought in) and then reads them all at once
// (read-ahead.ts): the frames' flow-cache sets; then the connection record each cached flow
// names or, without one, the head of the conntrack hash chain the frame's tuple hashes to; then
// the first record on each such chain. The path then finds them in the cache. Only loads: what
// the path decides does not change, only how long it waits.

import { ENTRY_BYTES as CT_ENTRY_BYTES, CT_NONE } from '../conntrack/layout';
import { chainHeadAt4, entryAt } from '../conntrack/table';
import { be32 } from '../memory';
import { readWanted, want } from '../read-ahead';
import { FLOW_ENTRY_BYTES, flowConnectionIn, flowSetOf } from './flow-cache';

/** Frames whose misses are overlapped at once. */
export const PREFETCH_GROUP: u32 = 16;
// Per frame of the group (words): its IP header, its iif, its flow-cache set, then its chain
// head's address (0: none).
const SLOT_BYTES: usize = 16;
const slots: usize = memory.data(<i32>(<usize>PREFETCH_GROUP * SLOT_BYTES), 16);
let enabled = true;
let prefetched: u32 = 0;

/** Turns the prefetch on or off (WasmEngineOptions.prefetch; the results are the same). */
export function setPrefetch(on: bool): void {
  enabled = on;
}

/** Frames whose flow and connection were read ahead since the engine started. */
export function prefetchedFrames(): u32 {
  return prefetched;
}

/** Whether batches read ahead (setPrefetch). */
export function prefetchOn(): bool {
  return enabled;
}

/**
 * Touches what frames [first, end) of the batch (`frameBytes`-byte records at `frames`, bytes
 * at `bytes`) will read of the flow cache and the connection table: received IPv4 TCP and UDP
 * datagrams without options, keyed as flowLookup and find key them when no mark or zone is set.
 */
export function prefetchFrames(frames: usize, frameBytes: u32, bytes: usize, first: u32, end: u32): void {
  let n: u32 = 0;
  for (let k = first; k < end; k++) {
    const f = frames + <usize>k * frameBytes;
    const io = load<u32>(f, 8);
    // Ethernet (link 1), not the host's own (bit 20): the frame's IP header after 14 bytes.
    if ((io & 0x1f0000) !== 0x10000 || load<u32>(f, 4) < 14 + 24) continue;
    const at = bytes + <usize>load<u32>(f);
    if (load<u16>(at, 12) !== 0x0008 || load<u8>(at, 14) !== 0x45) continue;
    const proto = <u32>load<u8>(at, 14 + 9);
    if (proto !== 6 && proto !== 17) continue;
    const ip = at + 14;
    const set = flowSetOf(io & 0xffff, ip, 0);
    const s = slots + <usize>n * SLOT_BYTES;
    store<u32>(s, <u32>ip);
    store<u32>(s, io & 0xffff, 4);
    store<u32>(s, <u32>set, 8);
    want(set);
    want(set + FLOW_ENTRY_BYTES);
    n++;
  }
  prefetched += n;
  readWanted();
  for (let i: u32 = 0; i < n; i++) {
    const s = slots + <usize>i * SLOT_BYTES;
    const ip = <usize>load<u32>(s);
    const idx = flowConnectionIn(<usize>load<u32>(s, 8), load<u32>(s, 4), ip, 0);
    let head: usize = 0;
    if (idx !== u32.MAX_VALUE) {
      // Both cache lines of the record: conntrack reads the tuple and the TCP state.
      const e = entryAt(idx);
      want(e);
      want(e + CT_ENTRY_BYTES / 2);
    } else {
      head = chainHeadAt4(be32(ip + 12), be32(ip + 16), be32(ip + 20), <u32>load<u8>(ip, 9));
      want(head);
    }
    store<u32>(s, <u32>head, 12);
  }
  readWanted();
  for (let i: u32 = 0; i < n; i++) {
    const head = <usize>load<u32>(slots + <usize>i * SLOT_BYTES, 12);
    if (head === 0) continue;
    const node = load<u32>(head);
    if (node !== CT_NONE) want(entryAt(node >> 1));
  }
  readWanted();
}
