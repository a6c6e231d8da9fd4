// -m hashlimit (revision 3) as src/engine/reference/matches/hashlimit.ts keeps it (the kernel's
// hashlimit_mt_common): tables shared by name, each taking its configuration from the first rule
// that sees a packet (htable_create's cfg copy; another rule naming the table adds only its own
// --hashlimit-above); one bucket per key (the selected addresses under their prefix masks, the
// selected ports), found whatever its expiry; the garbage collector, every gc-interval after the
// table's creation, drops entries whose expiry has passed; a full table (max entries) hotdrops a
// new key, as does a packet whose ports cannot be read. Packet buckets count 64-bit credits;
// byte buckets 32-bit ones with the burst as whole refills; --hashlimit-rate-match measures
// windows instead. Time is packet time in jiffies (HZ 1000).
//
// Only the packet path runs it (it needs packet time), where an undecided walk abandons the
// whole run, so the tables' changes need no journal. A table holds up to ENTRY_CAP entries here;
// a key past that leaves the walk undecided (the reference engine then runs the trace).

import { fmix32, hashWord } from './hash-mix';
import { HOTDROP, NO, STATE_SLOT_BYTES, UNDECIDED, X_HASHLIMIT, YES } from './layout';
import { alloc } from './memory';
import { fields, P_DST, P_PROTO, P_SRC, packet, skbLen, thoff } from './packet';
import { stateSlotCount, stateSlots } from './table';

const HZ: u64 = 1000;
/** CREDITS_PER_JIFFY for revision 2+: the largest power of two <= 2^64 / (HZ * 86400). */
const CPJ: u64 = 137438953472;
/** CREDITS_PER_JIFFY_BYTES: the largest power of two <= 2^32 / HZ. */
const CPJ_BYTES: u64 = 4194304;
const BYTES_FULL: u64 = CPJ_BYTES * HZ;
/** XT_HASHLIMIT_SCALE_v2: avg counts microseconds. */
const SCALE_V2: u64 = 1000000;
/** HASHLIMIT_MAX_SIZE. */
const MAX_SIZE: u32 = 1048576;
/** htable_create's size for --hashlimit-htable-size 0 on hosts with more than 1 GiB. */
const DEFAULT_SIZE: u32 = 8192;
const ENTRY_CAP: u32 = 1 << 18;
const BUCKETS_CAP: u32 = 1 << 16;

// Table header.
const T_STARTED: usize = 0;
const T_CFG: usize = 4;
const T_MAX: usize = 8;
const T_COUNT: usize = 12;
const T_CREATED: usize = 16;
const T_LAST_GC: usize = 24;
const T_BUCKETS: usize = 32;
const T_MASK: usize = 36;
const T_POOL: usize = 40;
const T_CAP: usize = 44;
const T_FREE: usize = 48;
const T_FRESH: usize = 52;
const TABLE_BYTES: usize = 56;
// Entry: next (1-based, 0: none), src, dst, ports, expires, prev, credit / current rate,
// credit cap / previous window over.
const E_NEXT: usize = 0;
const E_SRC: usize = 4;
const E_DST: usize = 8;
const E_PORTS: usize = 12;
const E_EXPIRES: usize = 16;
const E_PREV: usize = 24;
const E_CREDIT: usize = 32;
const E_CAP: usize = 40;
const ENTRY_BYTES: usize = 48;

const KEY_SRCIP: u32 = 0;
const KEY_SRCPORT: u32 = 1;
const KEY_DSTIP: u32 = 2;
const KEY_DSTPORT: u32 = 3;

/** Per state slot: its table's header (0 for other kinds). */
let tableOf: usize = 0;

/** One table per name (STATE_SLOTS word 3) among the hashlimit slots. */
export function initHashlimitTables(): void {
  tableOf = alloc(<usize>stateSlotCount * 4);
  for (let i: u32 = 0; i < stateSlotCount; i++) {
    const rec = stateSlots + <usize>i * STATE_SLOT_BYTES;
    if (load<u32>(rec) !== X_HASHLIMIT) continue;
    let table: usize = 0;
    for (let j: u32 = 0; j < i && table === 0; j++) {
      const other = stateSlots + <usize>j * STATE_SLOT_BYTES;
      if (load<u32>(other) === X_HASHLIMIT && load<u32>(other, 12) === load<u32>(rec, 12))
        table = load<u32>(tableOf + ((<usize>j) << 2));
    }
    if (table === 0) {
      table = alloc(TABLE_BYTES);
      memory.fill(table, 0, TABLE_BYTES);
    }
    store<u32>(tableOf + ((<usize>i) << 2), <u32>table);
  }
}

/** Every table back to not created (its memory kept for reuse). */
export function resetHashlimitTables(): void {
  for (let i: u32 = 0; i < stateSlotCount; i++) {
    const t = <usize>load<u32>(tableOf + ((<usize>i) << 2));
    if (t !== 0) store<u32>(t, 0, T_STARTED);
  }
}

// The configuration of the table's creating rule, parsed (the hashlimit codec's words).
let above: bool = false;
let bytesUnit: bool = false;
let avgUs: u64 = 0;
let cost32: u32 = 0;
let burst: u32 = 0;
let keyMask: u32 = 0;
let srcPrefix: u32 = 0;
let dstPrefix: u32 = 0;
let htableSize: u32 = 0;
let htableMax: u32 = 0;
let gcIntervalMs: u32 = 0;
let expireMs: u32 = 0;
let rateMatch: bool = false;
let intervalS: u32 = 0;

function word(p: usize, i: u32): u32 {
  return load<u32>(p + ((<usize>i) << 2));
}

function parse(p: usize): void {
  above = word(p, 0) !== 0;
  bytesUnit = word(p, 1) === 1;
  let i: u32 = 2;
  if (!bytesUnit) {
    avgUs = <u64>word(p, 2) | ((<u64>word(p, 3)) << 32);
    burst = word(p, 4);
    i = 5;
  } else {
    cost32 = word(p, 2);
    burst = word(p, 3);
    i = 4;
  }
  const n = word(p, i++);
  keyMask = 0;
  for (let k: u32 = 0; k < n; k++) keyMask |= 1 << word(p, i++);
  srcPrefix = word(p, i++);
  dstPrefix = word(p, i++);
  i++; // the name
  htableSize = word(p, i++);
  htableMax = word(p, i++);
  gcIntervalMs = word(p, i++);
  expireMs = word(p, i++);
  rateMatch = word(p, i++) !== 0;
  intervalS = rateMatch ? word(p, i) : 0;
}

function prefixMask(len: u32): u32 {
  return len === 0 ? 0 : len >= 32 ? 0xffffffff : ~(<u32>0xffffffff >>> len);
}

/** msecs_to_jiffies: rounds up (exact at HZ 1000). */
function msecsToJiffies(ms: u32): i64 {
  return (<i64>ms * <i64>HZ + 999) / 1000;
}

/** user2credits, revision 3 (u64 arithmetic). */
function user2credits(user: u64): u64 {
  return user * ((HZ * CPJ) / SCALE_V2);
}

/** proto_ports_offset: where the two 16-bit "ports" are, or -1 for none. */
function portsOffset(protocol: u32): i32 {
  if (protocol === 6 || protocol === 17 || protocol === 33 || protocol === 132 || protocol === 136) return 0;
  if (protocol === 50) return 0;
  if (protocol === 51) return 4;
  return -1;
}

function entryAt(t: usize, idx: u32): usize {
  return <usize>load<u32>(t, T_POOL) + <usize>(idx - 1) * ENTRY_BYTES;
}

function bucketOf(t: usize, src: u32, dst: u32, ports: u32): usize {
  const h = fmix32(hashWord(hashWord(hashWord(0x68736c74, src), dst), ports));
  return <usize>load<u32>(t, T_BUCKETS) + ((<usize>(h & load<u32>(t, T_MASK))) << 2);
}

/** htable_create for the rule whose parameters are at `p`: sizes, then the first use's time. */
function create(t: usize, p: usize, now: i64): void {
  parse(p);
  let size = htableSize === 0 ? DEFAULT_SIZE : htableSize;
  if (size > MAX_SIZE) size = MAX_SIZE;
  let max = htableMax < MAX_SIZE ? htableMax : MAX_SIZE;
  if (max === 0) max = 8 * size;
  else if (max < size) max = size;
  let buckets: u32 = 1;
  while (buckets < size && buckets < BUCKETS_CAP) buckets <<= 1;
  const cap = max < ENTRY_CAP ? max : ENTRY_CAP;
  // Memory from an earlier run of this table is reused when it is large enough.
  if (load<u32>(t, T_BUCKETS) === 0 || load<u32>(t, T_MASK) + 1 < buckets) {
    store<u32>(t, <u32>alloc((<usize>buckets) << 2), T_BUCKETS);
    store<u32>(t, buckets - 1, T_MASK);
  }
  memory.fill(<usize>load<u32>(t, T_BUCKETS), 0, (<usize>(load<u32>(t, T_MASK) + 1)) << 2);
  if (load<u32>(t, T_POOL) === 0 || load<u32>(t, T_CAP) < cap) {
    store<u32>(t, <u32>alloc(<usize>cap * ENTRY_BYTES), T_POOL);
    store<u32>(t, cap, T_CAP);
  }
  store<u32>(t, <u32>p, T_CFG);
  store<u32>(t, max, T_MAX);
  store<u32>(t, 0, T_COUNT);
  store<u32>(t, 0, T_FREE);
  store<u32>(t, 0, T_FRESH);
  store<i64>(t, now, T_CREATED);
  store<i64>(t, now, T_LAST_GC);
  store<u32>(t, 1, T_STARTED);
}

/** htable_gc's passes due by `now`: every gc interval after creation; expired entries go. */
function collect(t: usize, now: i64): void {
  let interval = msecsToJiffies(gcIntervalMs);
  if (interval === 0) interval = 1;
  const created = load<i64>(t, T_CREATED);
  if (now - created < interval) return;
  const due = created + ((now - created) / interval) * interval;
  if (due <= load<i64>(t, T_LAST_GC)) return;
  store<i64>(t, due, T_LAST_GC);
  const heads = <usize>load<u32>(t, T_BUCKETS);
  const n = load<u32>(t, T_MASK) + 1;
  for (let b: u32 = 0; b < n; b++) {
    let link = heads + ((<usize>b) << 2);
    let idx = load<u32>(link);
    while (idx !== 0) {
      const e = entryAt(t, idx);
      const next = load<u32>(e, E_NEXT);
      if (due >= load<i64>(e, E_EXPIRES)) {
        store<u32>(link, next);
        store<u32>(e, load<u32>(t, T_FREE), E_NEXT);
        store<u32>(t, idx, T_FREE);
        store<u32>(t, load<u32>(t, T_COUNT) - 1, T_COUNT);
      } else link = e + E_NEXT;
      idx = next;
    }
  }
}

/** rateinfo_init for a new entry at `e`. */
function initEntry(e: usize): void {
  if (rateMatch) {
    store<u64>(e, 0, E_CREDIT); // current rate
    store<u32>(e, 0, E_CAP); // previous window over
    return;
  }
  if (bytesUnit) {
    store<u64>(e, BYTES_FULL, E_CREDIT);
    store<u64>(e, <u64>burst, E_CAP);
    return;
  }
  const full = user2credits(avgUs * <u64>burst);
  store<u64>(e, full, E_CREDIT);
  store<u64>(e, full, E_CAP);
}

/** Rate-match mode's rate and burst (user2rate / user2rate_bytes). */
function windowRate(): u64 {
  if (bytesUnit) {
    const c = <u64>cost32;
    return ((c !== 0 ? <u64>0xffffffff / c : <u64>0xffffffff) - 1) << 4;
  }
  return avgUs === 0 ? 0 : SCALE_V2 / avgUs;
}

function windowBurst(rate: u64): u64 {
  if (bytesUnit) return burst !== 0 ? <u64>burst * rate : rate;
  return <u64>burst + rate;
}

/** rateinfo_recalc for the entry at `e` at `now`. */
function recalc(e: usize, now: i64): void {
  const delta = <u64>(now - load<i64>(e, E_PREV));
  if (delta === 0) return;
  if (rateMatch) {
    const interval = <u64>(<u32>(<u64>intervalS * HZ));
    if (delta < interval) return;
    store<i64>(e, now, E_PREV);
    store<u32>(e, load<u64>(e, E_CREDIT) * interval > delta * windowRate() ? 1 : 0, E_CAP);
    store<u64>(e, 0, E_CREDIT);
    return;
  }
  store<i64>(e, now, E_PREV);
  if (bytesUnit) {
    const before = load<u64>(e, E_CREDIT);
    let credit = before + CPJ_BYTES * delta;
    if (before >= credit || credit > BYTES_FULL) credit = BYTES_FULL;
    store<u64>(e, credit, E_CREDIT);
    return;
  }
  let credit = load<u64>(e, E_CREDIT) + delta * CPJ;
  const cap = load<u64>(e, E_CAP);
  if (credit > cap) credit = cap;
  store<u64>(e, credit, E_CREDIT);
}

/** hashlimit_mt for state slot `slot` with its rule's parameters at `p`, at jiffies `now`. */
export function hashlimitHolds(slot: u32, p: usize, now: i64, bytes: u32): u32 {
  const t = <usize>load<u32>(tableOf + ((<usize>slot) << 2));
  if (load<u32>(t, T_STARTED) === 0) create(t, p, now);
  parse(<usize>load<u32>(t, T_CFG));
  const ruleAbove = load<u32>(p) !== 0;
  // hashlimit_init_dst: the key (IPv4 reads the ports even in later fragments).
  const src =
    (keyMask & (1 << KEY_SRCIP)) !== 0
      ? load<u32>(fields + ((<usize>P_SRC) << 2)) & prefixMask(srcPrefix)
      : 0;
  const dst =
    (keyMask & (1 << KEY_DSTIP)) !== 0
      ? load<u32>(fields + ((<usize>P_DST) << 2)) & prefixMask(dstPrefix)
      : 0;
  let ports: u32 = 0;
  if ((keyMask & ((1 << KEY_SRCPORT) | (1 << KEY_DSTPORT))) !== 0) {
    const off = portsOffset(load<u32>(fields + ((<usize>P_PROTO) << 2)));
    if (off >= 0) {
      const at = thoff + <u32>off;
      if (at + 4 > skbLen) return HOTDROP;
      const q = packet + <usize>at;
      if ((keyMask & (1 << KEY_SRCPORT)) !== 0) ports = ((<u32>load<u8>(q)) << 8) | <u32>load<u8>(q, 1);
      if ((keyMask & (1 << KEY_DSTPORT)) !== 0)
        ports |= (((<u32>load<u8>(q, 2)) << 8) | <u32>load<u8>(q, 3)) << 16;
    }
  }
  collect(t, now);
  const expire = msecsToJiffies(expireMs);
  const head = bucketOf(t, src, dst, ports);
  let idx = load<u32>(head);
  while (idx !== 0) {
    const e = entryAt(t, idx);
    if (load<u32>(e, E_SRC) === src && load<u32>(e, E_DST) === dst && load<u32>(e, E_PORTS) === ports) break;
    idx = load<u32>(e, E_NEXT);
  }
  let e: usize;
  if (idx !== 0) {
    e = entryAt(t, idx);
    store<i64>(e, now + expire, E_EXPIRES);
    recalc(e, now);
  } else {
    // dsthash_alloc_init: a full table takes no new key.
    if (load<u32>(t, T_COUNT) >= load<u32>(t, T_MAX)) return HOTDROP;
    let fresh = load<u32>(t, T_FREE);
    if (fresh !== 0) store<u32>(t, load<u32>(entryAt(t, fresh), E_NEXT), T_FREE);
    else {
      if (load<u32>(t, T_FRESH) >= load<u32>(t, T_CAP)) return UNDECIDED;
      fresh = load<u32>(t, T_FRESH) + 1;
      store<u32>(t, fresh, T_FRESH);
    }
    e = entryAt(t, fresh);
    store<u32>(e, load<u32>(head), E_NEXT);
    store<u32>(head, fresh);
    store<u32>(e, src, E_SRC);
    store<u32>(e, dst, E_DST);
    store<u32>(e, ports, E_PORTS);
    store<i64>(e, now + expire, E_EXPIRES);
    store<i64>(e, now, E_PREV);
    initEntry(e);
    store<u32>(t, load<u32>(t, T_COUNT) + 1, T_COUNT);
  }
  const len = <u64>bytes;
  if (rateMatch) {
    const rate = load<u64>(e, E_CREDIT) + (bytesUnit ? len : 1);
    store<u64>(e, rate, E_CREDIT);
    const under = load<u32>(e, E_CAP) === 0 && rate <= windowBurst(windowRate());
    return under !== ruleAbove ? YES : NO;
  }
  let cost: u64 = user2credits(avgUs);
  if (bytesUnit) {
    // hashlimit_byte_cost: 16-byte chunks, at most a full bucket; an empty bucket is refilled
    // while the burst still allows refills.
    cost = ((len >> 4) + 1) * ((<u64>cost32 * BYTES_FULL) >> 32);
    if (cost > BYTES_FULL) cost = BYTES_FULL;
    const cap = load<u64>(e, E_CAP);
    if (load<u64>(e, E_CREDIT) < cost && cap > 0) {
      store<u64>(e, cap - 1, E_CAP);
      store<u64>(e, BYTES_FULL, E_CREDIT);
    }
  }
  const credit = load<u64>(e, E_CREDIT);
  if (credit >= cost) {
    store<u64>(e, credit - cost, E_CREDIT);
    return !ruleAbove ? YES : NO;
  }
  return ruleAbove ? YES : NO;
}
