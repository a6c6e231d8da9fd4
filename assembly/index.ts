// nfwasm WebAssembly hot path: stateless classification of packet batches over a compiled
// table (docs/table-format.md). The host copies the table in once (alloc + loadTable), lays a
// batch out in memory (META/CT records, packet bytes, interface registry; layout.ts) and makes
// one classify call per batch.

import { CT_BYTES, META_BYTES, NONE, R_UNDECIDED_PACKET, RESULT_BYTES } from './layout';
import { setCt } from './ops';
import { decode } from './packet';
import { setPacketInterfaces } from './path/host-query';
import {
  AHEAD_SLOTS,
  aheadResult,
  dropWalkMemoCounts,
  forgetKeysAhead,
  MEMO_ENTRY_BYTES,
  memoHitAhead,
  memoKeyAhead,
  memoWalk,
  memoWorthReadingAhead,
  resetWalkMemo,
} from './path/verdict-memo';
import { readWanted, want } from './read-ahead';
import { initState } from './state';
import { initTable, policyCounters, ruleCores, resetCounters as zeroCounters } from './table';
import { setPassActions as setWalkPassActions, walk } from './walk';

export { internetChecksum } from './checksum';
export { alloc, release } from './memory';
export { settleWalkMemo } from './path/verdict-memo';
export { randomNext, randomSeed, resetState } from './state';

const ZERO_CT: usize = memory.data(<i32>CT_BYTES, 16);

/**
 * Reads the table copied to `base`; returns the address of the rules' records, whose words 4-7
 * are each rule's counters (table.ts ruleCores; policyCountersAt has the policies').
 */
export function loadTable(base: usize): usize {
  initTable(base);
  resetWalkMemo(false);
  initState();
  zeroCounters();
  return ruleCores;
}

/** Action kinds (bit per ACTION_KINDS index) that only count and continue (walk.ts). */
export function setPassActions(mask: u32): void {
  // The memo's walks were judged with the old actions: counted, then forgotten.
  setWalkPassActions(mask);
  resetWalkMemo(true);
}

let memoOn: bool = true;

/** Whether classify answers repeated walks from the walk memo (path/verdict-memo.ts): on by default. */
export function setClassifyMemo(on: bool): void {
  memoOn = on;
}

/** Zeroes every counter, with the walk memo's replays not yet added to them. */
export function resetCounters(): void {
  zeroCounters();
  dropWalkMemoCounts();
}

export function policyCountersAt(): usize {
  return policyCounters;
}

/**
 * Classifies `n` packets: META records at `meta`, CT records at `ct`, packet bytes at offsets
 * from `bytes`, interface registry at `ifaces`; writes `n` results at `results`.
 */
export function classify(n: u32, meta: usize, ct: usize, bytes: usize, ifaces: usize, results: usize): void {
  for (let g: u32 = 0; g < n; g += AHEAD_SLOTS) {
    const end = min<u32>(g + AHEAD_SLOTS, n);
    if (!memoOn || !readMemoAhead(g, end, meta, ct, bytes, ifaces)) {
      classifyRange(g, end, meta, ct, bytes, ifaces, results);
      continue;
    }
    // The keys were kept (slot k - g): a walk the memo holds is answered without decoding the
    // packet again.
    for (let k: u32 = g; k < end; k++) {
      const m = meta + <usize>k * META_BYTES;
      if (memoHitAhead(load<u32>(m, 8), k - g, load<u32>(m, 4)))
        store<u64>(results + <usize>k * RESULT_BYTES, aheadResult);
      else classifyRange(k, k + 1, meta, ct, bytes, ifaces, results);
    }
  }
}

/**
 * Packets classify will run through the memo next: each one decoded and its key worked out and
 * kept (memoKeyAhead), then the sets' first lines read together (read-ahead.ts), so that a memo
 * larger than the processor's caches costs one overlapped miss a group instead of one a packet,
 * and a packet the memo answers is not decoded twice. Only where the memo is that large and on
 * for the packet's chain; false when nothing was kept.
 */
function readMemoAhead(first: u32, end: u32, meta: usize, ct: usize, bytes: usize, ifaces: usize): bool {
  // Judged by the group's first packet (a batch mostly walks one chain): only the speed depends on it.
  if (!memoWorthReadingAhead(load<u32>(meta + <usize>first * META_BYTES, 8))) return false;
  forgetKeysAhead();
  for (let k = first; k < end; k++) {
    const m = meta + <usize>k * META_BYTES;
    if (!preparePacket(m, ct, bytes, ifaces)) continue;
    const set = memoKeyAhead(load<u32>(m, 8), k - first);
    if (set === 0) continue;
    want(set);
    want(set + MEMO_ENTRY_BYTES);
  }
  readWanted();
  return true;
}

/**
 * The packet of META record `m` decoded, its connection facts set and, for the memo's key, its
 * interfaces; false when it does not decode.
 */
function preparePacket(m: usize, ct: usize, bytes: usize, ifaces: usize): bool {
  if (!decode(bytes + <usize>load<u32>(m), load<u32>(m, 4), m, ifaces)) return false;
  const c = load<u32>(m, 20);
  setCt(c === NONE ? ZERO_CT : ct + <usize>c * CT_BYTES);
  if (memoOn) {
    const io = load<u32>(m, 12);
    setPacketInterfaces(io & 0xffff, io >> 16);
  }
  return true;
}

/** classify for packets [first, n): each decoded and walked, from the memo when it is on. */
function classifyRange(
  first: u32,
  n: u32,
  meta: usize,
  ct: usize,
  bytes: usize,
  ifaces: usize,
  results: usize,
): void {
  for (let k: u32 = first; k < n; k++) {
    const m = meta + <usize>k * META_BYTES;
    const out = results + <usize>k * RESULT_BYTES;
    if (!preparePacket(m, ct, bytes, ifaces)) {
      store<u64>(out, <u64>(R_UNDECIDED_PACKET << 8) | ((<u64>NONE) << 32));
      continue;
    }
    const len = load<u32>(m, 4);
    store<u64>(out, memoOn ? memoWalk(load<u32>(m, 8), len) : walk(load<u32>(m, 8), len));
  }
}

/**
 * The benchmarks' floor: decodes the headers of the same `n` packets classify would (same
 * batch layout, same decoder) without walking the table; returns how many decoded.
 */
export function decodeOnly(n: u32, meta: usize, bytes: usize, ifaces: usize): u32 {
  let decoded: u32 = 0;
  for (let k: u32 = 0; k < n; k++) {
    const m = meta + <usize>k * META_BYTES;
    if (decode(bytes + <usize>load<u32>(m), load<u32>(m, 4), m, ifaces)) decoded++;
  }
  return decoded;
}

// Connection tracking in linear memory (assembly/conntrack/, src/engine/wasm/conntrack.ts).
export {
  ctConfirm,
  ctCount,
  ctEntries,
  ctEntryBytes,
  ctEntryReply,
  ctExpire,
  ctHighWater,
  ctIn,
  ctInit,
  ctNatInitialized,
  ctNatNull,
  ctNatPacket,
  ctNatSetup,
  ctNatSideBytes,
  ctPrngNext,
  ctPrngSeed,
  ctResult,
  ctStats,
} from './conntrack/api';
export { conntrackBatch } from './conntrack/batch';
export { ctNatIcmpReply } from './conntrack/icmp-reply-translation';
export { setAddressPrefixes } from './path/address-class';
export { prefetchedFrames, setPrefetch } from './path/batch-prefetch';
export { engineBridges } from './path/bridge-input';
export { ctPacketFromIpv4 } from './path/ct-packet';
export { defragAreaBytes, initDefrag } from './path/defrag';
export {
  flowCacheDisplaced,
  flowCacheHits,
  flowCacheRefusals,
  flowCacheReplays,
  setFlowCache,
} from './path/flow-cache';
export { emittedCount, initGenerated, replySlotAreaBytes } from './path/generated';
export { hostQueriesAsked } from './path/host-query';
export { icmpRateTableBytes } from './path/icmp-rate';
// The WebAssembly engine's packet path (assembly/path/, src/engine/wasm/engine.ts).
export { enginePlan, engineSnapshots, receiveBatch } from './path/receive';
// Packets the host sends itself (path/reject.ts) and ICMP errors through NAT.
export { icmpEchoReply4, icmpError4, rejectIcmpUnreach4, rejectTcpReset4 } from './path/reject';
// Rewriting a datagram's bytes (assembly/path/rewrite.ts).
export { applyIcmpErrorRewrite4, applyRewriteRecord, ipDecreaseTtl, natManipIpv4 } from './path/rewrite';
export { walkMemoHits, walkMemoMisses } from './path/verdict-memo';
export { readAheadSink } from './read-ahead';
