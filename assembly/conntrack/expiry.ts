// The expiry index of the WebAssembly table (ExpiryHeap in src/engine/conntrack/expiry-heap.ts
// plays its part in the reference engine): confirmed connections filed by time so that
// `expire(now)` visits only the ones that may have expired instead of every record.
//
// A radix heap over the timeout (i64 ns, mapped to u64 so that the order is kept): bucket 0
// holds what may be due at `last`, bucket i (1..64) connections whose timeout differs from
// `last` first in bit i - 1, so the buckets cover ascending ranges of time. Each bucket is a
// doubly linked list through two words of the record (nat-store.ts: expiryLinks), so filing and
// unfiling cost O(1) and no memory beyond the record. Timeouts are rewritten on every packet:
// when one grows the connection stays where it is (its bucket's range is still a lower bound
// and the sweep refiles it), when one shrinks below its bucket's range it is refiled at once
// (expiryLowered; the bucket is kept in the link word).
// The sweep only ever moves `last` forward within the first non-empty bucket's range, so each
// connection moves to a lower bucket at most 64 times between two growths of its timeout.

import { CT_NONE, E_TIMEOUT } from './layout';
import { expiryLinks } from './nat-store';
import { deleteEntry, inTable } from './table';

const BUCKETS: u32 = 65;
// The first link word is bucket << INDEX_BITS | the previous entry's index (FIRST when first in
// its bucket), or CT_NONE when not filed. 2^25 records of 128 bytes would not fit in memory.
const INDEX_BITS: u32 = 25;
const FIRST: u32 = (1 << INDEX_BITS) - 1;
const heads: usize = memory.data(<i32>BUCKETS * 4, 16);
let last: u64 = 0;

let entryBase: usize = 0;
let entrySize: usize = 0;

export function expiryInit(entries: usize, entryBytes: u32): void {
  memory.fill(heads, 0xff, BUCKETS * 4);
  last = 0;
  entryBase = entries;
  entrySize = entryBytes;
}

/** The timeout as an unsigned key with the same order. */
function keyOf(t: i64): u64 {
  return <u64>t ^ 0x8000000000000000;
}

function entry(idx: u32): usize {
  return entryBase + <usize>idx * entrySize;
}

function bucketFor(k: u64): u32 {
  return k <= last ? 0 : 64 - <u32>clz<u64>(k ^ last);
}

/** The lowest key bucket i >= 1 can hold. */
function lowest(i: u32): u64 {
  const s = <u64>(i - 1);
  return ((last >> s) | 1) << s;
}

function link(idx: u32, bucket: u32): void {
  const l = expiryLinks(entry(idx));
  const head = heads + ((<usize>bucket) << 2);
  const first = load<u32>(head);
  store<u32>(l, (bucket << INDEX_BITS) | FIRST);
  store<u32>(l, first, 4);
  if (first !== CT_NONE) store<u32>(expiryLinks(entry(first)), (bucket << INDEX_BITS) | idx);
  store<u32>(head, idx);
}

/** Files a connection just confirmed (its timeout now absolute). */
export function expiryAdd(idx: u32): void {
  link(idx, bucketFor(keyOf(load<i64>(entry(idx), E_TIMEOUT))));
}

/** Takes a connection out of the index (deletion); nothing when it is not filed. */
export function expiryRemove(idx: u32): void {
  const l = expiryLinks(entry(idx));
  const prev = load<u32>(l);
  if (prev === CT_NONE) return;
  const next = load<u32>(l, 4);
  const before = prev & FIRST;
  if (before === FIRST) store<u32>(heads + ((<usize>(prev >> INDEX_BITS)) << 2), next);
  else store<u32>(expiryLinks(entry(before)), next, 4);
  if (next !== CT_NONE) store<u32>(expiryLinks(entry(next)), prev);
  store<u32>(l, CT_NONE);
}

/**
 * A filed connection's timeout went down: file it again where the new one belongs, unless its
 * bucket still may hold it (a connection going back and forth between two timeouts, like
 * TCP's unacknowledged-data one, stops moving once time has caught up with the shorter one).
 */
export function expiryLowered(idx: u32): void {
  const l = expiryLinks(entry(idx));
  const prev = load<u32>(l);
  if (prev === CT_NONE) return;
  const bucket = prev >> INDEX_BITS;
  if (bucket === 0 || keyOf(load<i64>(entry(idx), E_TIMEOUT)) >= lowest(bucket)) return;
  expiryRemove(idx);
  expiryAdd(idx);
}

/**
 * Takes bucket `bucket`'s list out and deals with each of its connections: an expired one is
 * deleted, any other filed again relative to the current `last`.
 */
function sweepBucket(bucket: u32, now: i64): u32 {
  const head = heads + ((<usize>bucket) << 2);
  let cur = load<u32>(head);
  store<u32>(head, CT_NONE);
  let n: u32 = 0;
  while (cur !== CT_NONE) {
    const l = expiryLinks(entry(cur));
    const next = load<u32>(l, 4);
    store<u32>(l, CT_NONE); // unfiled: deleting it must not touch the list taken out
    if (load<i64>(entry(cur), E_TIMEOUT) <= now) {
      if (deleteEntry(cur)) n++;
    } else {
      link(cur, bucketFor(keyOf(load<i64>(entry(cur), E_TIMEOUT))));
    }
    cur = next;
  }
  return n;
}

/** expire: deletes every filed connection whose timeout is <= now; returns how many. */
export function expiryDelete(now: i64): u32 {
  const n = keyOf(now);
  let count = sweepBucket(0, now);
  // Time went back (or stands still): everything outside bucket 0 is later than `last`.
  if (n <= last) return count;
  while (true) {
    let i: u32 = 1;
    while (i < BUCKETS && load<u32>(heads + ((<usize>i) << 2)) === CT_NONE) i++;
    if (i === BUCKETS || lowest(i) > n) break;
    // The highest key bucket i holds; `last` stays within its range, so the buckets above
    // keep their meaning and the ones below are empty.
    const s = <u64>(i - 1);
    const highest = lowest(i) | (((<u64>1) << s) - 1);
    last = n < highest ? n : highest;
    count += sweepBucket(i, now);
  }
  return count;
}

/**
 * Writes entry `e`'s timeout (ct->timeout = ...): one that goes down is refiled at once, one
 * that goes up is left where it is until a sweep meets it.
 */
export function storeTimeout(e: usize, timeout: i64): void {
  const before = load<i64>(e, E_TIMEOUT);
  store<i64>(e, timeout, E_TIMEOUT);
  if (timeout < before && inTable(e)) expiryLowered(<u32>((e - entryBase) / entrySize));
}
