// The state of the stateful matches run here (statistic, quota, limit; recent's lists in recent.ts, hashlimit's tables in hashlimit.ts, connlimit's in connlimit.ts): one 16-byte record per
// STATE_SLOTS record, and a seeded xoshiro128** generator for `statistic --mode random`, its
// four state words in linear memory (the algorithm and seeding of src/engine/conntrack/prng.ts,
// bit for bit; a generator of its own, apart from NAT's — except in the packet path, which
// shares NAT's, see sharedRandom). A walk journals every record it
// changes and snapshots the generator, so a packet handed to the host leaves all of it as it
// was, like the counters (walk.ts), for the host to replay it.

import { connlimitHolds, resetConnlimit } from './connlimit';
import { prngNextU32 } from './conntrack/prng';
import { hashlimitHolds, initHashlimitTables, resetHashlimitTables } from './hashlimit';
import {
  NO,
  STATE_SLOT_BYTES,
  UNDECIDED,
  X_CONNLIMIT,
  X_HASHLIMIT,
  X_LIMIT,
  X_QUOTA,
  X_RECENT,
  X_STATISTIC,
  YES,
} from './layout';
import { jiffiesAt, limitHolds } from './limit';
import { alloc } from './memory';
import { initRecentLists, recentHolds, resetRecentLists } from './recent';
import { ipv6, ops, params, stateSlotCount, stateSlots } from './table';

const RECORD_BYTES: usize = 16;
const JOURNAL_CAPACITY: u32 = 1024;
/** Journal entries: record address, 0, 0, 0, then the record's 16 bytes before the change. */
const JOURNAL_ENTRY: usize = 32;
const journal: usize = memory.data(<i32>(JOURNAL_CAPACITY * <u32>JOURNAL_ENTRY), 16);
let journaled: u32 = 0;
/** The walked packet's length in bytes (the IP datagram, quota's skb->len). */
let walkBytes: u32 = 0;
/** Packet time (ns) of the walks, which limit reads; only the packet path knows it. */
let walkTimeNs: i64 = 0;
let walkTimeKnown: bool = false;

/** The packet path's frame time: limit runs here from now on. */
export function setWalkTime(nowNs: i64): void {
  walkTimeNs = nowNs;
  walkTimeKnown = true;
}

/** Generator state s0..s3, then the snapshot taken at the start of a walk. */
const rng: usize = memory.data(32, 16);

/**
 * The packet path (path/receive.ts) draws statistic's numbers from NAT's generator, as the
 * reference engine draws every random choice of a run from one generator.
 */
export let sharedRandom: bool = false;

export function shareRandom(): void {
  sharedRandom = true;
}

/** Per state slot: statistic nth: count; quota: bytes left (u64). */
export let slotState: usize = 0;

function copy16(to: usize, from: usize): void {
  store<u64>(to, load<u64>(from));
  store<u64>(to, load<u64>(from, 8), 8);
}

function rotl32(x: u32, k: u32): u32 {
  return (x << k) | (x >>> (32 - k));
}

/** new Xoshiro128ss(seed): splitmix32 (Weyl step 0x9e3779b9, fmix32) fills the state. */
export function randomSeed(seed: u32): void {
  let weyl = seed;
  for (let i: usize = 0; i < 4; i++) {
    weyl += 0x9e3779b9;
    let z = weyl;
    z = (z ^ (z >>> 16)) * 0x85ebca6b;
    z = (z ^ (z >>> 13)) * 0xc2b2ae35;
    store<u32>(rng + (i << 2), z ^ (z >>> 16));
  }
  if ((load<u32>(rng) | load<u32>(rng, 4) | load<u32>(rng, 8) | load<u32>(rng, 12)) === 0) store<u32>(rng, 1);
}

/** Xoshiro128ss.nextU32. */
export function randomNext(): u32 {
  let s0 = load<u32>(rng);
  let s1 = load<u32>(rng, 4);
  let s2 = load<u32>(rng, 8);
  let s3 = load<u32>(rng, 12);
  const result = rotl32(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl32(s3, 11);
  store<u32>(rng, s0);
  store<u32>(rng, s1, 4);
  store<u32>(rng, s2, 8);
  store<u32>(rng, s3, 12);
  return result;
}

/** The words of a STATEFUL op's parameters. */
function param(p: usize, i: usize): u32 {
  return load<u32>(p + (i << 2));
}

/** Allocates and initialises the slot records (statistic_mt_check: count = --packet). */
export function initState(): void {
  slotState = alloc(<usize>stateSlotCount * RECORD_BYTES);
  initRecentLists();
  initHashlimitTables();
  resetState();
}

/** Every slot back to its initial state (the generator keeps its place). */
export function resetState(): void {
  memory.fill(slotState, 0, <usize>stateSlotCount * RECORD_BYTES);
  resetRecentLists();
  resetHashlimitTables();
  resetConnlimit();
  for (let i: u32 = 0; i < stateSlotCount; i++) {
    const rec = stateSlots + <usize>i * STATE_SLOT_BYTES;
    const kind = load<u32>(rec);
    const op = ops + ((<usize>load<u32>(rec, 8)) << 4);
    const p = params + ((<usize>load<u32>(op, 8)) << 2);
    const st = slotState + <usize>i * RECORD_BYTES;
    if (kind === X_STATISTIC && param(p, 1) === 1) store<u32>(st, param(p, 3));
    else if (kind === X_QUOTA) store<u64>(st, load<u64>(p));
  }
}

/** Start of a walk: nothing journaled, the generator's place remembered. */
export function beginState(bytes: u32): void {
  journaled = 0;
  copy16(rng + 16, rng);
  walkBytes = bytes;
}

/** The walk handed its packet to the host: undo its changes, newest first. */
export function rollbackState(): void {
  while (journaled > 0) {
    journaled--;
    const e = journal + <usize>journaled * JOURNAL_ENTRY;
    copy16(<usize>load<u32>(e), e + 16);
  }
  copy16(rng, rng + 16);
}

function save(st: usize): bool {
  if (journaled === JOURNAL_CAPACITY) return false;
  const e = journal + <usize>journaled * JOURNAL_ENTRY;
  store<u32>(e, <u32>st);
  copy16(e + 16, st);
  journaled++;
  return true;
}

/** A STATEFUL op at slot address `s`: YES, NO, or UNDECIDED (a kind the host runs). */
export function stateful(s: usize): u32 {
  const kind = load<u32>(s, 4);
  const p = params + ((<usize>load<u32>(s, 8)) << 2);
  const st = slotState + ((<usize>load<u32>(s, 12)) << 4);
  let hit: bool;
  if (kind === X_STATISTIC) {
    // statistic_mt: random compares the low 31 bits of one draw; nth advances the counter.
    if (param(p, 1) === 0) hit = ((sharedRandom ? prngNextU32() : randomNext()) & 0x7fffffff) < param(p, 2);
    else {
      if (!save(st)) return UNDECIDED;
      const every = param(p, 2) - 1;
      const c = load<u32>(st);
      const next = c === every ? 0 : c + 1;
      store<u32>(st, next);
      hit = next === 0;
    }
    return hit !== (param(p, 0) !== 0) ? YES : NO;
  }
  if (kind === X_LIMIT) {
    // Without packet time (the bare classifier) the host runs it.
    if (!walkTimeKnown || !save(st)) return UNDECIDED;
    return limitHolds(st, param(p, 0), param(p, 1), walkTimeNs) ? YES : NO;
  }
  if (kind === X_RECENT) {
    // Its lists are no 16-byte records (recent.ts); the packet path alone runs it.
    if (!walkTimeKnown) return UNDECIDED;
    return recentHolds(load<u32>(s, 12), p, jiffiesAt(walkTimeNs));
  }
  if (kind === X_HASHLIMIT) {
    // Its tables are no 16-byte records (hashlimit.ts); the packet path alone runs it, IPv4.
    if (!walkTimeKnown || ipv6) return UNDECIDED;
    return hashlimitHolds(load<u32>(s, 12), p, jiffiesAt(walkTimeNs), walkBytes);
  }
  if (kind === X_CONNLIMIT) {
    // Its lists are no 16-byte records (connlimit.ts); the packet path alone runs it (it knows
    // the connection and the time), IPv4.
    if (!walkTimeKnown || ipv6) return UNDECIDED;
    return connlimitHolds(load<u32>(s, 12), p, walkTimeNs);
  }
  if (kind === X_QUOTA) {
    // quota_mt: whole packets; once one does not fit, nothing does.
    if (!save(st)) return UNDECIDED;
    const left = load<u64>(st);
    const len = <u64>walkBytes;
    if (left >= len) {
      store<u64>(st, left - len);
      hit = true;
    } else {
      store<u64>(st, 0);
      hit = false;
    }
    return hit !== (param(p, 2) !== 0) ? YES : NO;
  }
  return UNDECIDED;
}
