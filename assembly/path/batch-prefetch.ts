// Overlapping the cache misses of the next frames of a batch. With many live connections a
// frame's flow-cache set, its connection's record and its hash chain are rarely in the
// processor's caches, and the packet path reaches them one after the other, a whole memory
// latency each. WebAssembly has no prefetch instruction, but plain loads that nothing waits on
// do the same when issued together: for a group of frames, first every frame's flow-cache set
// is read (independent loads, in flight at once); then, per frame, the connection record its
// cached flow names or, without one, the head of the conntrack hash chain its tuple hashes to;
// then the first record on each such chain. The path then finds them in the cache. Only loads:
// what the path decides does not change, only how long it waits.

import { CT_NONE } from '../conntrack/layout';
import { chainHeadAt4, entryAt } from '../conntrack/table';
import { be32 } from '../memory';
import { flowConnectionOf, flowSetOf, touchLines } from './flow-cache';

/**
 * Live connections from which on it pays (their records alone then outgrow a core's second-level
 * cache; below, the lookups hit the caches anyway and the prefetch's own hashing is a loss).
 */
export const PREFETCH_CONNECTIONS: u32 = 1 << 14;
/** Frames whose misses are overlapped at once (a few cache lines each: well within L1). */
export const PREFETCH_GROUP: u32 = 16;
// Per frame of the group: its IP header, its iif, then the chain head address (0: none).
const slots: usize = memory.data(<i32>PREFETCH_GROUP * 12, 16);
/** Where the loaded words go, so that no optimizer drops the loads. */
let sink: u32 = 0;
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

/** Whether to read ahead with `live` connections in the table. */
export function prefetchDue(live: u32): bool {
  return enabled && live >= PREFETCH_CONNECTIONS;
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
    sink += touchLines(flowSetOf(io & 0xffff, ip, 0));
    const s = slots + <usize>n * 12;
    store<u32>(s, <u32>ip);
    store<u32>(s, io & 0xffff, 4);
    n++;
  }
  prefetched += n;
  for (let i: u32 = 0; i < n; i++) {
    const s = slots + <usize>i * 12;
    const ip = <usize>load<u32>(s);
    const idx = flowConnectionOf(load<u32>(s, 4), ip, 0);
    if (idx !== u32.MAX_VALUE) {
      const e = entryAt(idx);
      sink += load<u32>(e) + load<u32>(e, 64);
      store<u32>(s, 0, 8);
    } else {
      const head = chainHeadAt4(be32(ip + 12), be32(ip + 16), be32(ip + 20), <u32>load<u8>(ip, 9));
      sink += load<u32>(head);
      store<u32>(s, <u32>head, 8);
    }
  }
  for (let i: u32 = 0; i < n; i++) {
    const head = <usize>load<u32>(slots + <usize>i * 12, 8);
    if (head === 0) continue;
    const node = load<u32>(head);
    if (node !== CT_NONE) sink += load<u32>(entryAt(node >> 1));
  }
}

/** The loads' sum (read by nothing; exported so that no optimizer drops the loads). */
export function prefetchSink(): u32 {
  return sink;
}
