// The conntrack hash table in linear memory (ConntrackTable, src/engine/conntrack/table.ts;
// nf_conntrack_core.c): fixed-size entry records, buckets of newest-first chains holding both
// directions' nodes (node = entry index << 1 | direction), jhash2 bucket choice like the TS
// table so early drop evicts the same entries, allocation against nf_conntrack_max with early
// drop, confirmation with UDP clash resolution, deletion and lazy expiry on packet time (the
// sweep before early drop finds expired connections through expiry.ts, not a scan). The
// reply node's tuple is the stored NAT reply tuple when there is one (nat-store.ts). Nothing
// here allocates (the IPv6 NAT side pool grows in chunks, only when first needed).

import { alloc, allocLines, zeroQuads } from '../memory';
import { initBySource, removeBySource } from './bysource';
import { expiryAdd, expiryDelete, expiryInit, expiryRemove } from './expiry';
import { jhash2, reciprocalScale } from './jhash';
import {
  CT_NONE,
  E_FLAGS,
  E_ID,
  E_NAT,
  E_NEXT,
  E_PROTO,
  E_STATUS,
  E_TIMEOUT,
  E_ZONE,
  EF_USED,
  ENTRY_BYTES,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
  IPS_ASSURED,
  IPS_CONFIRMED,
  IPS_DYING,
  IPS_FIXED_TIMEOUT,
  IPS_NAT_CLASH,
  NS_PER_SEC,
  ST_BUCKETS,
  ST_CAPACITY,
  ST_HASH_SEED,
  ST_MAX,
} from './layout';
import { entryReply, expiryUnfiled, natStoreFree, natStoreReset } from './nat-store';
import { setting } from './settings';
import {
  entryOriginal,
  ipv4PortsHashWords,
  TUPLE_BYTES,
  tupleEqual,
  tupleHashLength,
  tupleHashWords,
} from './tuple';

/** NF_CT_EVICTION_RANGE. */
const EVICTION_RANGE: u32 = 8;

export let entries: usize = 0;
export let capacity: u32 = 0;
let buckets: usize = 0;
/** nf_conntrack_buckets: which of them a tuple hashes to decides where early drop looks. */
let kernelBuckets: u32 = 1;
/**
 * The chains are finer than the kernel's buckets so that they stay short however small
 * nf_conntrack_buckets is against the table (4 entries a bucket by default, 2 nodes each):
 * kernel bucket b is chains [b << chainShift, (b + 1) << chainShift), as reciprocal_scale by
 * buckets << k, shifted right by k, is reciprocal_scale by buckets. Lookups walk one of them.
 */
let chainShift: u32 = 0;
let chainCount: u32 = 1;
let highWater: u32 = 0;
let freeHead: u32 = CT_NONE;
/** nf_conntrack_count: entries allocated, confirmed or not. */
export let count: u32 = 0;
/** The last allocEntry failed for want of a record, not for nf_conntrack_max. */
export let recordsRanOut: bool = false;
let nextId: u32 = 1;

// ConntrackStats, in the order of src/engine/conntrack/table.ts.
export const stats: usize = memory.data(8 * 4, 16);
export const ST_FOUND: u32 = 0;
export const ST_INVALID: u32 = 1;
export const ST_INSERT: u32 = 2;
export const ST_INSERT_FAILED: u32 = 3;
export const ST_DROP: u32 = 4;
export const ST_EARLY_DROP: u32 = 5;
export const ST_CLASH_RESOLVE: u32 = 6;

export function bump(stat: u32): void {
  const p = stats + ((<usize>stat) << 2);
  store<u32>(p, load<u32>(p) + 1);
}

const scratchA: usize = memory.data(<i32>TUPLE_BYTES, 16);
const scratchB: usize = memory.data(<i32>TUPLE_BYTES, 16);

/** Sets the table up for the current settings (entries and buckets allocated once). */
export function initTable(): void {
  capacity = setting(ST_CAPACITY);
  kernelBuckets = max<u32>(1, setting(ST_BUCKETS));
  // At least one chain per two entries: lookups meet about two nodes even when full.
  chainShift = 0;
  while (
    ((<u64>kernelBuckets) << chainShift) * 2 < <u64>capacity &&
    (<u64>kernelBuckets) << chainShift < 1 << 29
  )
    chainShift++;
  chainCount = kernelBuckets << chainShift;
  entries = allocLines(<usize>capacity * ENTRY_BYTES);
  buckets = alloc((<usize>chainCount) << 2);
  memory.fill(buckets, 0xff, (<usize>chainCount) << 2);
  highWater = 0;
  freeHead = CT_NONE;
  count = 0;
  nextId = 1;
  memory.fill(stats, 0, 8 * 4);
  initBySource(kernelBuckets);
  natStoreReset();
  expiryInit(entries, ENTRY_BYTES);
}

export function entryAt(idx: u32): usize {
  return entries + <usize>idx * ENTRY_BYTES;
}

export function statusOf(e: usize): u32 {
  return load<u16>(e, E_STATUS);
}

export function setStatus(e: usize, bits: u32): void {
  store<u16>(e, <u16>(load<u16>(e, E_STATUS) | bits), E_STATUS);
}

export function confirmed(e: usize): bool {
  return (statusOf(e) & IPS_CONFIRMED) !== 0;
}

/**
 * A confirmed connection still in the table: a deleted one's record keeps its id and status
 * until the record is reused.
 */
export function inTable(e: usize): bool {
  return used(e) && (statusOf(e) & (IPS_CONFIRMED | IPS_DYING)) === IPS_CONFIRMED;
}

/** ConnEntry.isExpired: (s32)(timeout - now) <= 0, once confirmed. */
export function isExpired(e: usize, now: i64): bool {
  return confirmed(e) && load<i64>(e, E_TIMEOUT) <= now;
}

/** ConnEntry.expiresIn. */
export function expiresIn(e: usize, now: i64): i64 {
  const t = load<i64>(e, E_TIMEOUT);
  if (!confirmed(e)) return t;
  return t > now ? t - now : 0;
}

function used(e: usize): bool {
  return (load<u8>(e, E_FLAGS) & EF_USED) !== 0;
}

/** The chain of tuple `t`: bucketOf (reciprocal_scale(jhash2(tupleWords(t, zone), seed), buckets)) refined. */
function chainOf(t: usize, zone: u32): u32 {
  return chainOfWords(tupleHashWords(t, zone), tupleHashLength(t));
}

/** The chain of a tuple whose `n` hash words are at `words`. */
function chainOfWords(words: usize, n: u32): u32 {
  return reciprocalScale(jhash2(words, n, setting(ST_HASH_SEED)), chainCount);
}

/**
 * Where the chain a lookup of the IPv4 tuple (src, dst, sport << 16 | dport, protocol) in zone
 * 0 starts is kept (chainOf; batch-prefetch.ts reads it ahead).
 */
export function chainHeadAt4(src: u32, dst: u32, ports: u32, protocol: u32): usize {
  return buckets + ((<usize>chainOfWords(ipv4PortsHashWords(src, dst, ports, protocol, 0), 5)) << 2);
}

/** The tuple of node `node`'s direction into `t`. */
function nodeTuple(node: u32, t: usize): void {
  const e = entryAt(node >> 1);
  if ((node & 1) === 0) entryOriginal(e, t);
  else entryReply(e, t);
}

/** The found node of the last successful find. */
export let foundNode: u32 = CT_NONE;

/**
 * find (nf_conntrack_find_get): the confirmed connection with tuple `t` in either direction;
 * sets foundNode. An expired one is deleted and not returned.
 */
export function find(t: usize, zone: u32, now: i64): bool {
  let node = load<u32>(buckets + ((<usize>chainOf(t, zone)) << 2));
  while (node !== CT_NONE) {
    const e = entryAt(node >> 1);
    if (<u32>load<u16>(e, E_ZONE) === zone) {
      nodeTuple(node, scratchA);
      if (tupleEqual(scratchA, t)) {
        if (isExpired(e, now)) {
          deleteEntry(node >> 1);
          return false;
        }
        foundNode = node;
        return true;
      }
    }
    node = load<u32>(e + E_NEXT + ((<usize>(node & 1)) << 2));
  }
  return false;
}

/**
 * alloc (__nf_conntrack_alloc): a new, unconfirmed entry with original tuple `t` (the reply
 * one is its inverse), or CT_NONE when the table is full and early drop found nothing.
 */
export function allocEntry(t: usize, zone: u32, now: i64): u32 {
  recordsRanOut = false;
  const maxCount = setting(ST_MAX);
  if (maxCount > 0 && count + 1 > maxCount) {
    expire(now);
    if (count + 1 > maxCount && !earlyDrop(chainOf(t, zone) >> chainShift, now)) {
      bump(ST_DROP);
      return CT_NONE;
    }
  }
  let idx: u32;
  if (freeHead !== CT_NONE) {
    idx = freeHead;
    freeHead = load<u32>(entryAt(idx), E_NEXT);
  } else {
    if (highWater === capacity) {
      // Out of preallocated records below nf_conntrack_max: records kept for NAT's by-source
      // index (keepReleased), or a capacity set below the maximum. The kernel would not drop
      // here; conntrack reports DROP_NO_RECORD and the packet path gives the packet up.
      recordsRanOut = true;
      bump(ST_DROP);
      return CT_NONE;
    }
    idx = highWater++;
  }
  const e = entryAt(idx);
  zeroQuads(e, ENTRY_BYTES);
  // setEntryOriginal is the caller's; the rest of the record:
  store<u8>(e, EF_USED, E_FLAGS);
  store<u16>(e, <u16>zone, E_ZONE);
  store<u32>(e, nextId++, E_ID);
  store<u32>(e, CT_NONE, E_NEXT);
  store<u32>(e, CT_NONE, E_NEXT + 4);
  store<u32>(e, CT_NONE, E_NAT);
  expiryUnfiled(e);
  count++;
  return idx;
}

function freeSlot(idx: u32): void {
  const e = entryAt(idx);
  store<u8>(e, load<u8>(e, E_FLAGS) & ~EF_USED, E_FLAGS);
  removeBySource(idx);
  natStoreFree(e);
  store<u32>(e, freeHead, E_NEXT);
  freeHead = idx;
  count--;
}

/**
 * early_drop: from the new tuple's bucket on, in up to 8 buckets, evict every confirmed
 * connection that is not ASSURED in the first bucket that has any. (Which entries a bucket
 * loses does not depend on the order they are visited in, so its chains are scanned one after
 * the other, each rescanned after a deletion instead of being copied.)
 */
function earlyDrop(startBucket: u32, now: i64): bool {
  let bucket = startBucket;
  for (let i: u32 = 0; i < EVICTION_RANGE; i++) {
    if (i > 0) bucket = (bucket + 1) % kernelBuckets;
    let drops: u32 = 0;
    const first = bucket << chainShift;
    for (let chain = first; chain < first + (1 << chainShift); chain++) drops += earlyDropChain(chain, now);
    if (drops > 0) {
      const p = stats + ((<usize>ST_EARLY_DROP) << 2);
      store<u32>(p, load<u32>(p) + drops);
      return true;
    }
  }
  return false;
}

/** early_drop in one chain of a kernel bucket: deletes what it may; returns the evictions. */
function earlyDropChain(chain: u32, now: i64): u32 {
  const head = buckets + ((<usize>chain) << 2);
  let drops: u32 = 0;
  let node = load<u32>(head);
  while (node !== CT_NONE) {
    const e = entryAt(node >> 1);
    const next = load<u32>(e + E_NEXT + ((<usize>(node & 1)) << 2));
    const status = statusOf(e);
    let kill = false;
    if ((status & IPS_DYING) !== 0) kill = false;
    else if (isExpired(e, now)) kill = true;
    else if ((status & IPS_ASSURED) !== 0 || (status & IPS_CONFIRMED) === 0) kill = false;
    else {
      kill = true;
      drops++;
    }
    if (kill) {
      deleteEntry(node >> 1);
      node = load<u32>(head); // rescan
    } else {
      node = next;
    }
  }
  return drops;
}

/**
 * Takes entry `idx`, released a moment ago (the head of the free list), back for good without
 * counting it: a reply tied to it is about to bind NAT on it, and the reference engine keeps
 * such an entry in NAT's by-source index for the rest of the run (ConntrackTable.release does
 * not reach it there). False when it is not the last entry freed.
 */
export function keepReleased(idx: u32): bool {
  if (freeHead !== idx) return false;
  freeHead = load<u32>(entryAt(idx), E_NEXT);
  return true;
}

/** release: frees an unconfirmed entry whose packet did not make it to confirmation. */
export function release(idx: u32): void {
  const e = entryAt(idx);
  if (!used(e) || confirmed(e)) return;
  freeSlot(idx);
}

function unlink(idx: u32, dir: u32, t: usize, zone: u32): void {
  const node = (idx << 1) | dir;
  let link = buckets + ((<usize>chainOf(t, zone)) << 2);
  let cur = load<u32>(link);
  while (cur !== CT_NONE) {
    const next = entryAt(cur >> 1) + E_NEXT + ((<usize>(cur & 1)) << 2);
    if (cur === node) {
      store<u32>(link, load<u32>(next));
      return;
    }
    link = next;
    cur = load<u32>(next);
  }
}

/** delete (nf_ct_delete): take a connection out of the table; false when already dying. */
export function deleteEntry(idx: u32): bool {
  const e = entryAt(idx);
  if ((statusOf(e) & IPS_DYING) !== 0) return false;
  setStatus(e, IPS_DYING);
  if (!confirmed(e)) {
    if (used(e)) freeSlot(idx);
    return true;
  }
  const zone = <u32>load<u16>(e, E_ZONE);
  entryOriginal(e, scratchA);
  unlink(idx, 0, scratchA, zone);
  entryReply(e, scratchB);
  unlink(idx, 1, scratchB, zone);
  expiryRemove(idx);
  freeSlot(idx);
  return true;
}

function insertNode(idx: u32, dir: u32, t: usize, zone: u32): void {
  const head = buckets + ((<usize>chainOf(t, zone)) << 2);
  store<u32>(entryAt(idx) + E_NEXT + ((<usize>dir) << 2), load<u32>(head));
  store<u32>(head, (idx << 1) | dir);
}

const confirmTuple: usize = memory.data(<i32>TUPLE_BYTES, 16);
const confirmReply: usize = memory.data(<i32>TUPLE_BYTES, 16);
const winnerOrig: usize = memory.data(<i32>TUPLE_BYTES, 16);
const winnerReply: usize = memory.data(<i32>TUPLE_BYTES, 16);

/** The entry the last confirmEntry left the packet with (the winner when it merged). */
export let confirmedIdx: u32 = CT_NONE;

/** allowClash (l4proto->allow_clash): UDP and UDP-Lite. */
export function allowClash(protocol: u32): bool {
  return protocol === IPPROTO_UDP || protocol === IPPROTO_UDPLITE;
}

/**
 * confirm (__nf_conntrack_confirm): put a new connection into the table. Returns false (drop)
 * when it died before, or clashes with one that got there first and the clash cannot be
 * resolved (ConntrackTable.confirm / resolveClash).
 */
export function confirmEntry(idx: u32, dir: u32, now: i64): bool {
  const e = entryAt(idx);
  confirmedIdx = idx;
  if (dir !== 0 || confirmed(e)) return true;
  if ((statusOf(e) & IPS_DYING) !== 0 || !used(e)) {
    bump(ST_INSERT_FAILED);
    release(idx);
    confirmedIdx = CT_NONE;
    return false;
  }
  const zone = <u32>load<u16>(e, E_ZONE);
  entryOriginal(e, confirmTuple);
  entryReply(e, confirmReply);
  if (find(confirmTuple, zone, now) || find(confirmReply, zone, now)) {
    return resolveClash(idx, foundNode >> 1, now);
  }
  store<i64>(e, load<i64>(e, E_TIMEOUT) + now, E_TIMEOUT);
  insertNode(idx, 0, confirmTuple, zone);
  insertNode(idx, 1, confirmReply, zone);
  setStatus(e, IPS_CONFIRMED);
  expiryAdd(idx);
  bump(ST_INSERT);
  return true;
}

function clashFail(loser: u32): bool {
  bump(ST_DROP);
  bump(ST_INSERT_FAILED);
  release(loser);
  confirmedIdx = CT_NONE;
  return false;
}

/**
 * resolveClash (nf_ct_resolve_clash): a UDP loser joins an identical winner, else
 * (nf_ct_resolve_clash_harder) goes in by its reply tuple only, with a fixed one-second
 * timeout. confirmTuple / confirmReply hold the loser's tuples.
 */
function resolveClash(loser: u32, winner: u32, now: i64): bool {
  const e = entryAt(loser);
  if (!allowClash(<u32>load<u8>(entryAt(winner), E_PROTO))) return clashFail(loser);
  if (mergeInto(loser, winner)) return true;
  const zone = <u32>load<u16>(e, E_ZONE);
  if (find(confirmReply, zone, now)) {
    return mergeInto(loser, foundNode >> 1) ? true : clashFail(loser);
  }
  store<i64>(e, now + NS_PER_SEC, E_TIMEOUT);
  setStatus(e, IPS_FIXED_TIMEOUT | IPS_NAT_CLASH | IPS_CONFIRMED);
  insertNode(loser, 1, confirmReply, zone);
  expiryAdd(loser);
  bump(ST_CLASH_RESOLVE);
  return true;
}

/** mergeInto (__nf_ct_resolve_clash): the same flow either way round? Then join the winner. */
function mergeInto(loser: u32, winner: u32): bool {
  const w = entryAt(winner);
  if (load<u16>(w, E_ZONE) !== load<u16>(entryAt(loser), E_ZONE)) return false;
  entryOriginal(w, winnerOrig);
  entryReply(w, winnerReply);
  const same =
    (tupleEqual(winnerOrig, confirmTuple) && tupleEqual(winnerReply, confirmReply)) ||
    (tupleEqual(winnerOrig, confirmReply) && tupleEqual(winnerReply, confirmTuple));
  if (!same) return false;
  release(loser);
  bump(ST_CLASH_RESOLVE);
  confirmedIdx = winner;
  return true;
}

const takenOrig: usize = memory.data(<i32>TUPLE_BYTES, 16);
const takenOther: usize = memory.data(<i32>TUPLE_BYTES, 16);

/**
 * tupleTaken (nf_conntrack_tuple_taken): is `t` another confirmed connection's tuple in either
 * direction — one whose original tuple differs from entry `ignored`'s?
 */
export function tupleTaken(t: usize, ignored: u32, now: i64): bool {
  const e = entryAt(ignored);
  if (!find(t, <u32>load<u16>(e, E_ZONE), now)) return false;
  const other = foundNode >> 1;
  if (other === ignored) return false;
  entryOriginal(e, takenOrig);
  entryOriginal(entryAt(other), takenOther);
  return !tupleEqual(takenOrig, takenOther);
}

/** expire: deletes every expired connection (found through the expiry index); returns how many. */
export function expire(now: i64): u32 {
  return expiryDelete(now);
}

/** Slots in use so far (entries at indexes below it may be live). */
export function slotHighWater(): u32 {
  return highWater;
}
