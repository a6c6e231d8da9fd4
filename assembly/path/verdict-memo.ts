// A memo of table walks for the packet path, keyed on exactly the packet and connection fields
// the walked rules can read (OVS megaflow-style, one key shape per base chain). A walk is a
// pure function of those fields when no reachable rule has a stateful match, a host question
// other than addrtype or a TCP option test, and it ran no target with an effect beyond its
// verdict (MARK, NAT, REJECT: such walks are not kept): for such a base chain the memo replays
// the walk's outcome and its counter updates instead of walking. Chains where that does not
// hold are always walked. Hits are exact, never approximate: the key
// holds every word of every field any reachable op reads (conntrack state, marks and expiry
// included, so a walk that reads a changing field simply misses).

import { fmix32, hashWord } from '../hash-mix';
import {
  A_DNAT,
  A_MARK,
  A_REDIRECT,
  A_REJECT,
  ACTION_BYTES,
  F_IIF,
  F_L4_DPORT,
  F_L4_SPORT,
  F_OIF,
  OP_ANY_BITS,
  OP_BLOCK,
  OP_CMP,
  OP_FALSE,
  OP_FLAG_WILDCARD,
  OP_HOST,
  OP_IFACE,
  OP_L4_GUARD,
  OP_PORT_LIST,
  OP_RANGE,
  OP_SKIP_IF,
  R_UNDECIDED_RULE,
  RULE_BYTES,
  SLOT_BYTES,
  V_GOTO,
  V_JUMP,
  X_ADDRTYPE,
} from '../layout';
import { alloc, allocLines, copyWords } from '../memory';
import { ct, FIELD_SLOTS as fieldSlots } from '../ops';
import { fields, laterFragment, skbLen, thoff } from '../packet';
import {
  actions,
  addCounts,
  chainAt,
  chainCount,
  chains,
  ops,
  RULE_CORE_BYTES,
  ruleCount,
  rules,
} from '../table';
import { passActions, walk, walkActed, walkEvaluated, walkLog, walkLogged } from '../walk';
import { pktIif, pktOif } from './host-query';

const F_SRC: u32 = 1;
const F_DST: u32 = 2;
const FIELD_IDS: u32 = 64;

// Descriptor per base chain (words): field count, longest L4_GUARD, interface flags, then
// field | width << 8 per field read. 0: not analysed yet; UNCACHEABLE: always walk.
const UNCACHEABLE: usize = 1;
const USES_IIF: u32 = 1;
const USES_OIF: u32 = 2;

const MAX_KEY: u32 = 16;
const CT_WORD: u32 = 0x80000000;
/** A word that reads as NONE, for fields this build does not have (fieldWord gives NONE). */
const unused: usize = memory.data<u32>([0xffffffff]);
// Entry (bytes): base chain + 1 (0: empty); the key's words after the base | the counter count
// << 16; the result (u64); the hash; the packets replayed since their counters were last
// added to, and their bytes (u64); then the key's words and, right after them, the counters
// the walk added to. A hit only counts itself in the entry, and the rules' counters are brought
// up to date when the entry is displaced or anyone reads them (settleWalkMemo): a hit then
// touches one cache line where a short key and a few counters fit, not one per counter. A walk
// whose key and counters do not fit is not kept.
const E_SHAPE: usize = 4;
const E_RESULT: usize = 8;
const E_HASH: usize = 16;
const E_PENDING: usize = 20;
const E_PENDING_BYTES: usize = 24;
const E_KEY: usize = 32;
const ENTRY_BYTES: usize = 128;
const ENTRY_WORDS: u32 = <u32>(ENTRY_BYTES - E_KEY) >> 2;
const WAYS: u32 = 2;
// The memo starts at MIN_SETS sets (2 MiB) and doubles, splitting every set on the hash's next
// bit, when a sixteenth as many walks as it holds have displaced one another (a sixty-fourth
// from FEW_SETS on), up to maxSets, reserved when the table is loaded (untouched pages cost
// nothing): two sets per rule, at least FEW_SETS (16 MiB) and at most MANY_SETS (64 MiB). A
// table of many rules has as many distinct walks, and with sets to spare two of them seldom
// contend for one (Docker's 100k rules, 43k distinct walks, 21 passes of 131k packets: 7.1% of
// them walked in a memo of 16 MiB, 3.6% in 32 MiB). Past 16 MiB a hit misses the caches
// whatever the memo's size, while a walk it saves is a large table's: it grows sooner.
const MIN_SETS: u32 = 1 << 13;
const FEW_SETS: u32 = 1 << 16;
const MANY_SETS: u32 = 1 << 18;
let maxSets: u32 = 0;
let setCount: u32 = MIN_SETS;
let evictions: u32 = 0;
/** Entries taken since the memo was last emptied (never given back but by a reset). */
let occupied: u32 = 0;

// Whether the memo pays for a chain is measured on a trial of its first lookups, judged every
// TRIAL / 2 lookups from the TRIAL-th on by the hits among the last TRIAL / 2 (the first half
// of the trial only fills the memo). At least half of them hit: the memo stays on. Fewer than
// an eighth, or the walks it replaces evaluate fewer than CHEAP_RULES rules on average (a
// lookup then costs more than the walk), or still under half after EXTENSIONS more rounds: it
// is switched off for the chain. Otherwise the memo is still filling (a chain whose packets take
// more distinct keys than TRIAL / 2 sees each again only later) and the trial goes on. Either
// way the results are the same; only the speed differs.
const TRIAL: u32 = 1 << 15;
const EXTENSIONS: u32 = 8;
const CHEAP_RULES: u32 = 6;
// Once the memo holds FAR_ENTRIES walks (4 MiB of entries), a hit is mostly a miss past the
// second-level cache; a walk over a table whose rules' cores fit in NEAR_TABLE_BYTES stays in
// the processor's caches. Then walks that evaluate fewer than NEAR_RULES rules on average are
// cheaper than a hit, and the memo is switched off for their chains (fw1's ten rules, each
// packet a key of its own: 7.22 Mpps with the memo, 14.00 walking).
const FAR_ENTRIES: u32 = 1 << 15;
const NEAR_TABLE_BYTES: usize = 1 << 20;
const NEAR_RULES: u32 = 12;
/**
 * Per chain: lookups in the current round (TRIAL: judged), hits in its second half, misses,
 * rules evaluated by the missed walks, and rounds judged.
 */
let trials: usize = 0;
const TRIAL_BYTES: usize = 20;

let descriptors: usize = 0;
// Per chain, what the flow cache (flow-cache.ts) needs to know of the walks from it: analysed,
// pure (no state, no side effects), and reading only fields that stay the same for every
// packet of one direction of a connection; whether it reads the connection's status; the
// longest L4_GUARD << 8.
const FACT_ANALYSED: u32 = 1;
const FACT_FLOW: u32 = 2;
/** A reachable rule reads the connection's status bits (--ctstatus). */
const FACT_STATUS: u32 = 4;
/** The status bits field (CT_STATUS_BITS, src/compiler/format.ts). */
const F_CT_STATUS: u32 = 46;
let chainFacts: usize = 0;
/** The table (its chains' address) the per-chain arrays were made for; loadTable resets the memo. */
let builtFor: usize = 0;
let entries: usize = 0;
let victim: u32 = 0;
const key: usize = memory.data(<i32>MAX_KEY * 4, 16);
/** Per field id: the widest read (words), while one chain is analysed. */
const widths: usize = memory.data(<i32>FIELD_IDS, 16);
/** Scratch of one analysis: chains reached, and those left to scan. */
let seen: usize = 0;
let stack: usize = 0;

let memoHits: u32 = 0;
let memoMisses: u32 = 0;

/** Walks answered from the memo, and walks memoizable but walked, since the table was loaded. */
export function walkMemoHits(): u32 {
  return memoHits;
}

export function walkMemoMisses(): u32 {
  return memoMisses;
}

/**
 * Forgets every walk and analysis, for a new table or other pass actions; allocates the memo
 * the first time (loadTable calls it, so that memoWalk never allocates in the middle of a batch
 * except for a chain's key descriptor).
 */
export function resetWalkMemo(settleFirst: bool): void {
  if (settleFirst) settleWalkMemo();
  if (builtFor !== chains) {
    descriptors = alloc((<usize>chainCount) << 2);
    chainFacts = alloc((<usize>chainCount) << 2);
    trials = alloc(<usize>chainCount * TRIAL_BYTES);
    seen = alloc(<usize>chainCount);
    stack = alloc((<usize>chainCount + 1) << 2);
    builtFor = chains;
  } else {
    memory.fill(descriptors, 0, (<usize>chainCount) << 2);
    memory.fill(chainFacts, 0, (<usize>chainCount) << 2);
    memory.fill(trials, 0, <usize>chainCount * TRIAL_BYTES);
  }
  // Entries start on a cache line: a short one is then read in one.
  let sets = FEW_SETS;
  while (sets < 2 * ruleCount && sets < MANY_SETS) sets <<= 1;
  if (sets > maxSets) {
    // A larger table than the last: the old entries' memory is left behind.
    entries = allocLines(<usize>sets * WAYS * ENTRY_BYTES);
    maxSets = sets;
  } else memory.fill(entries, 0, <usize>setCount * WAYS * ENTRY_BYTES);
  setCount = MIN_SETS;
  evictions = 0;
  occupied = 0;
  memoHits = 0;
  memoMisses = 0;
}

function reads(field: u32, width: u32): void {
  if (field >= FIELD_IDS) return;
  const w = widths + <usize>field;
  if (<u32>load<u8>(w) < width) store<u8>(w, <u8>width);
}

let ifaceFlags: u32 = 0;
let maxGuard: u32 = 0;

/** Records what op `s` reads; false when it makes the walk impure. */
function scanOp(s: usize): bool {
  const h = load<u32>(s);
  const code = h & 0xff;
  const n = (h >> 16) & 0xff;
  if (code === OP_CMP || code === OP_RANGE) reads(load<u32>(s, 4), max<u32>(n, 1));
  else if (code === OP_ANY_BITS || code === OP_SKIP_IF) reads(load<u32>(s, 4), 1);
  else if (code === OP_IFACE) {
    const f = load<u32>(s, 4);
    if (f === F_IIF) ifaceFlags |= USES_IIF;
    else if (f === F_OIF) ifaceFlags |= USES_OIF;
    // A bridge port's field is its name's string id: a key only for a whole-name test.
    else if (((h >> 8) & OP_FLAG_WILDCARD) !== 0) return false;
    else reads(f, 1);
  } else if (code === OP_PORT_LIST) {
    reads(F_L4_SPORT, 1);
    reads(F_L4_DPORT, 1);
  } else if (code === OP_L4_GUARD) maxGuard = max<u32>(maxGuard, load<u32>(s, 4));
  else if (code === OP_BLOCK) {
    const blockEnd = s + (1 + <usize>load<u32>(s, 4)) * SLOT_BYTES;
    for (let b = s + SLOT_BYTES; b < blockEnd; b += <usize>(load<u32>(b) >> 24) * SLOT_BYTES)
      if (!scanOp(b)) return false;
  } else if (code === OP_HOST && load<u32>(s, 4) === X_ADDRTYPE) {
    // The route types of the addresses, limited to either device.
    reads(F_SRC, 1);
    reads(F_DST, 1);
    ifaceFlags |= USES_IIF | USES_OIF;
  } else if (code !== OP_FALSE) return false;
  return true;
}

/** Records what rule g reads; false when its matches or target make the walk impure. */
function scanRule(g: u32): bool {
  const rw = rules + <usize>g * RULE_BYTES;
  let s = ops + <usize>load<u32>(rw) * SLOT_BYTES;
  const end = s + <usize>load<u32>(rw, 4) * SLOT_BYTES;
  while (s < end) {
    if (!scanOp(s)) return false;
    s += <usize>(load<u32>(s) >> 24) * SLOT_BYTES;
  }
  const verdict = load<u32>(rw, 8);
  if (verdict <= V_GOTO) return true;
  // An extension target: those that count and continue (LOG, NFLOG, TRACE) keep the walk pure;
  // MARK, NAT and REJECT keep it pure where they do not run (walkActed tells when they did).
  const kind = load<u32>(actions + <usize>load<u32>(rw, 12) * ACTION_BYTES);
  if (kind === A_MARK || kind === A_REJECT || (kind >= A_DNAT && kind <= A_REDIRECT)) return true;
  return kind < 32 && ((passActions >> kind) & 1) !== 0;
}

/**
 * Fields that may differ between packets of one direction of a connection (the flow cache
 * compares the marks and the connection's status itself).
 */
function variesInFlow(f: u32): bool {
  return (f >= 8 && f <= 10) || (f >= 19 && f <= 21) || f >= 47;
}

/** Analyses the chains reachable from `base`: its descriptor, or UNCACHEABLE. */
function analyse(base: u32): usize {
  memory.fill(widths, 0, FIELD_IDS);
  ifaceFlags = 0;
  maxGuard = 0;
  memory.fill(seen, 0, <usize>chainCount);
  let depth: u32 = 1;
  store<u32>(stack, base);
  store<u8>(seen + <usize>base, 1);
  while (depth > 0) {
    depth--;
    const cw = chainAt(load<u32>(stack + ((<usize>depth) << 2)));
    const first = load<u32>(cw, 8);
    const end = first + load<u32>(cw, 12);
    for (let g = first; g < end; g++) {
      if (!scanRule(g)) {
        store<u32>(chainFacts + ((<usize>base) << 2), FACT_ANALYSED);
        return UNCACHEABLE;
      }
      const rw = rules + <usize>g * RULE_BYTES;
      const verdict = load<u32>(rw, 8);
      const target = load<u32>(rw, 12);
      if ((verdict === V_JUMP || verdict === V_GOTO) && load<u8>(seen + <usize>target) === 0) {
        store<u8>(seen + <usize>target, 1);
        store<u32>(stack + ((<usize>depth) << 2), target);
        depth++;
      }
    }
  }
  let flow = FACT_FLOW;
  for (let f: u32 = 0; f < FIELD_IDS; f++) if (load<u8>(widths + <usize>f) !== 0 && variesInFlow(f)) flow = 0;
  if (load<u8>(widths + <usize>F_CT_STATUS) !== 0) flow |= FACT_STATUS;
  store<u32>(chainFacts + ((<usize>base) << 2), FACT_ANALYSED | flow | (min<u32>(maxGuard, 0xffffff) << 8));
  let words: u32 = 1;
  for (let f: u32 = 0; f < FIELD_IDS; f++) words += <u32>load<u8>(widths + <usize>f);
  if ((ifaceFlags & USES_IIF) !== 0) words++;
  if ((ifaceFlags & USES_OIF) !== 0) words++;
  if (words > MAX_KEY) return UNCACHEABLE;
  // The key's sources: per word an address in `fields`, or CT_WORD | offset in the CT record.
  const d = alloc((<usize>(3 + words)) << 2);
  store<u32>(d, words - 1);
  store<u32>(d, maxGuard, 4);
  store<u32>(d, ifaceFlags, 8);
  let i: usize = 0;
  for (let f: u32 = 0; f < FIELD_IDS; f++) {
    const w = <u32>load<u8>(widths + <usize>f);
    for (let j: u32 = 0; j < w; j++) {
      store<u32>(d + 12 + (i << 2), fieldSource(f, j));
      i++;
    }
  }
  return d;
}

/** Counts a lookup of `base`; at the end of a round of its trial, keeps the memo for it or not. */
function judge(base: u32): void {
  const t = trials + <usize>base * TRIAL_BYTES;
  const lookups = load<u32>(t);
  if (lookups >= TRIAL) return;
  store<u32>(t, lookups + 1);
  if (lookups + 1 !== TRIAL) return;
  const hits = load<u32>(t, 4);
  const misses = load<u32>(t, 8);
  const evaluated = load<u32>(t, 12);
  const rounds = load<u32>(t, 16) + 1;
  store<u32>(t, rounds, 16);
  if (hits * 4 >= TRIAL) return;
  if (hits * 16 < TRIAL || rounds > EXTENSIONS || (misses > 0 && evaluated < CHEAP_RULES * misses)) {
    store<u32>(descriptors + ((<usize>base) << 2), <u32>UNCACHEABLE);
    return;
  }
  // Another round of TRIAL / 2 lookups, every one of them counted.
  store<u32>(t, TRIAL / 2);
  store<u32>(t, 0, 4);
}

function descriptorOf(base: u32): usize {
  const at = descriptors + ((<usize>base) << 2);
  let d = <usize>load<u32>(at);
  if (d === 0) {
    d = analyse(base);
    store<u32>(at, <u32>d);
  }
  return d;
}

/** Whether the `n` words at `at` are those at `other`. */
function sameKey(at: usize, other: usize, n: u32): bool {
  for (let i: usize = 0; i < <usize>n; i++)
    if (load<u32>(at + (i << 2)) !== load<u32>(other + (i << 2))) return false;
  return true;
}

/** Where word j of field f is read (ops.ts fieldWord): a `fields` address, or CT_WORD | offset. */
function fieldSource(f: u32, j: u32): u32 {
  const slot = <u32>load<u8>(fieldSlots + <usize>f);
  if (slot === 255) return <u32>unused;
  if (slot < 128) return <u32>(fields + ((<usize>(slot + j)) << 2));
  return CT_WORD | ((slot - 128 + j) << 2);
}

/** The counters the last memoWalk added to (its walk's log, or the memo entry's). */
export let lastCounters: usize = 0;
export let lastCounted: u32 = 0;
/** Whether the last memoWalk's chain is pure and reads only fields fixed within a flow. */
export let lastFlowSafe: bool = false;
/** The longest L4_GUARD reachable from the last memoWalk's chain. */
export let lastGuard: u32 = 0;
/** Whether a rule reachable from the last memoWalk's chain reads the connection's status. */
export let lastReadsStatus: bool = false;

function plainWalk(base: u32, bytes: u32): u64 {
  const r = walk(base, bytes);
  lastCounters = walkLog();
  lastCounted = walkLogged();
  // A walk that marked, NATed or rejected is not the same for the flow's later packets.
  if (walkActed) lastFlowSafe = false;
  return r;
}

/** Words in `key` after the base, as buildKey left them. */
let keyLength: u32 = 0;

/**
 * The key of the decoded packet for base chain `base` (descriptor `d`): the base, every word of
 * every field read, then the interfaces, into `key` (keyLength words after the base); its hash.
 */
function buildKey(base: u32, d: usize): u32 {
  store<u32>(key, base);
  let h: u32 = fmix32(base);
  const words = load<u32>(d);
  let n: u32 = 1;
  for (let i: u32 = 0; i < words; i++) {
    const src = load<u32>(d + 12 + ((<usize>i) << 2));
    const v = (src & CT_WORD) !== 0 ? load<u32>(ct + <usize>(src & ~CT_WORD)) : load<u32>(<usize>src);
    store<u32>(key + ((<usize>n) << 2), v);
    h = hashWord(h, v);
    n++;
  }
  const flags = load<u32>(d, 8);
  if ((flags & USES_IIF) !== 0) {
    store<u32>(key + ((<usize>n) << 2), pktIif);
    h = hashWord(h, pktIif);
    n++;
  }
  if ((flags & USES_OIF) !== 0) {
    store<u32>(key + ((<usize>n) << 2), pktOif);
    h = hashWord(h, pktOif);
    n++;
  }
  keyLength = n - 1;
  return fmix32(h);
}

/** The set a key of hash `h` lives in. */
function setOf(h: u32): usize {
  return entries + <usize>(h & (setCount - 1)) * WAYS * ENTRY_BYTES;
}

/** Whether memoWalk would look the decoded packet up (descriptor `d`) rather than walk. */
function looksUp(d: usize): bool {
  return d !== UNCACHEABLE && !laterFragment && <u64>thoff + <u64>load<u32>(d, 4) <= <u64>skbLen;
}

/** A set's entries, one after the other, each starting on a cache line. */
export const MEMO_ENTRY_BYTES: usize = ENTRY_BYTES;
/**
 * Walks held from which on reading the memo ahead pays (1 MiB of entries: past a core's
 * second-level cache; below, a lookup mostly hits the caches and reading ahead only doubles the
 * decoding and hashing).
 */
const READ_AHEAD_ENTRIES: u32 = 1 << 13;

/** Whether a lookup for base chain `base` is likely to miss the caches and worth reading ahead. */
export function memoWorthReadingAhead(base: u32): bool {
  return occupied >= READ_AHEAD_ENTRIES && descriptorOf(base) !== UNCACHEABLE;
}

// Keys worked out ahead (memoKeyAhead), per packet of a group of up to AHEAD_SLOTS: the base + 1
// (0: none), the hash, the key's length, then its words after the base.
export const AHEAD_SLOTS: u32 = 16;
const AHEAD_BYTES: usize = (<usize>MAX_KEY + 3) << 2;
const ahead: usize = memory.data(<i32>(AHEAD_SLOTS * <u32>AHEAD_BYTES), 16);

/** Forgets the keys worked out ahead. */
export function forgetKeysAhead(): void {
  for (let i: u32 = 0; i < AHEAD_SLOTS; i++) store<u32>(ahead + <usize>i * AHEAD_BYTES, 0);
}

/**
 * For a group of packets read ahead (read-ahead.ts): the decoded packet's key for base chain
 * `base` kept in `slot` for memoHitAhead, and the set memoWalk would look it up in; 0 (nothing
 * kept) when it would walk or the chain's trial (judge) is still on. Changes nothing the memo
 * counts.
 */
export function memoKeyAhead(base: u32, slot: u32): usize {
  const s = ahead + <usize>slot * AHEAD_BYTES;
  store<u32>(s, 0);
  const d = descriptorOf(base);
  if (!looksUp(d) || load<u32>(trials + <usize>base * TRIAL_BYTES) < TRIAL) return 0;
  const h = buildKey(base, d);
  store<u32>(s, base + 1);
  store<u32>(s, h, 4);
  store<u32>(s, keyLength, 8);
  copyWords(s + 12, key + 4, <usize>keyLength);
  return setOf(h);
}

/** memoHitAhead's result when it returned true. */
export let aheadResult: u64 = 0;

/**
 * memoWalk(base, bytes) for the packet whose key memoKeyAhead kept in `slot`, when the memo holds
 * its walk: answered (true, the result in aheadResult, counted as memoWalk counts a hit) without
 * the packet decoded again. False, nothing counted: memoWalk must run. For the classifier only:
 * the flow cache's facts of the walk (lastFlowSafe, lastCounters, ...) are not set. (memoWalk's
 * own lookup, but for where the key is: a shared one costs small tables 5% a packet, as binaryen
 * then does not inline it.)
 */
export function memoHitAhead(base: u32, slot: u32, bytes: u32): bool {
  const s = ahead + <usize>slot * AHEAD_BYTES;
  // The chain's trial was over when the key was kept (judge() would change nothing); the memo
  // may have been switched off for it since (offWhereWalksAreNear).
  if (load<u32>(s) !== base + 1 || load<u32>(descriptors + ((<usize>base) << 2)) === <u32>UNCACHEABLE)
    return false;
  const h = load<u32>(s, 4);
  const keyWords = load<u32>(s, 8);
  const set = setOf(h);
  for (let w: u32 = 0; w < WAYS; w++) {
    const e = set + <usize>w * ENTRY_BYTES;
    const shape = load<u32>(e, E_SHAPE);
    if (
      load<u32>(e) !== base + 1 ||
      load<u32>(e, E_HASH) !== h ||
      (shape & 0xffff) !== keyWords ||
      !sameKey(e + E_KEY, s + 12, keyWords)
    )
      continue;
    memoHits++;
    const t = trials + <usize>base * TRIAL_BYTES;
    if (load<u32>(t) > TRIAL / 2) store<u32>(t, load<u32>(t, 4) + 1, 4);
    if (load<u32>(e, E_PENDING) === u32.MAX_VALUE) settle(e);
    store<u32>(e, load<u32>(e, E_PENDING) + 1, E_PENDING);
    store<u64>(e, load<u64>(e, E_PENDING_BYTES) + <u64>bytes, E_PENDING_BYTES);
    aheadResult = load<u64>(e, E_RESULT);
    return true;
  }
  return false;
}

/**
 * walk(base, bytes) for the decoded packet and its connection facts (setCt), from the memo when
 * an identical walk was seen. Same result words and counter updates as walk().
 */
export function memoWalk(base: u32, bytes: u32): u64 {
  const d = descriptorOf(base);
  const facts = load<u32>(chainFacts + ((<usize>base) << 2));
  lastFlowSafe = (facts & FACT_FLOW) !== 0;
  lastGuard = facts >> 8;
  lastReadsStatus = (facts & FACT_STATUS) !== 0;
  if (d !== UNCACHEABLE) judge(base);
  if (!looksUp(d)) return plainWalk(base, bytes);
  const h = buildKey(base, d);
  let set = setOf(h);
  // Stored without the base, which word 0 of the entry holds.
  const keyWords = keyLength;
  const keyBytes = (<usize>keyWords) << 2;
  for (let w: u32 = 0; w < WAYS; w++) {
    const e = set + <usize>w * ENTRY_BYTES;
    const shape = load<u32>(e, E_SHAPE);
    if (
      load<u32>(e) === base + 1 &&
      load<u32>(e, E_HASH) === h &&
      (shape & 0xffff) === keyWords &&
      sameKey(e + E_KEY, key + 4, keyWords)
    ) {
      memoHits++;
      const t = trials + <usize>base * TRIAL_BYTES;
      if (load<u32>(t) > TRIAL / 2) store<u32>(t, load<u32>(t, 4) + 1, 4);
      if (load<u32>(e, E_PENDING) === u32.MAX_VALUE) settle(e);
      store<u32>(e, load<u32>(e, E_PENDING) + 1, E_PENDING);
      store<u64>(e, load<u64>(e, E_PENDING_BYTES) + <u64>bytes, E_PENDING_BYTES);
      lastCounters = e + E_KEY + keyBytes;
      lastCounted = shape >> 16;
      return load<u64>(e, E_RESULT);
    }
  }
  memoMisses++;
  const r = plainWalk(base, bytes);
  const t = trials + <usize>base * TRIAL_BYTES;
  store<u32>(t, load<u32>(t, 8) + 1, 8);
  store<u32>(t, load<u32>(t, 12) + walkEvaluated, 12);
  const logged = walkLogged();
  if (((<u32>r >> 8) & 0xff) >= R_UNDECIDED_RULE || keyWords + logged > ENTRY_WORDS || walkActed) return r;
  let e = set;
  if (load<u32>(e) !== 0) {
    e = set + ENTRY_BYTES;
    if (load<u32>(e) !== 0) {
      e = set + <usize>(victim & (WAYS - 1)) * ENTRY_BYTES;
      victim++;
      if (++evictions > (setCount * WAYS) >> (setCount < FEW_SETS ? 4 : 6) && setCount < maxSets) {
        grow();
        set = setOf(h);
        e = load<u32>(set) === 0 ? set : set + ENTRY_BYTES;
      }
      if (load<u32>(e) !== 0) settle(e);
    }
  }
  if (
    load<u32>(e) === 0 &&
    ++occupied === FAR_ENTRIES &&
    <usize>ruleCount * RULE_CORE_BYTES <= NEAR_TABLE_BYTES
  )
    offWhereWalksAreNear();
  store<u32>(e, base + 1);
  store<u32>(e, keyWords | (logged << 16), E_SHAPE);
  store<u64>(e, r, E_RESULT);
  store<u32>(e, h, E_HASH);
  store<u32>(e, 0, E_PENDING);
  store<u64>(e, 0, E_PENDING_BYTES);
  copyWords(e + E_KEY, key + 4, <usize>keyWords);
  copyWords(e + E_KEY + keyBytes, walkLog(), <usize>logged);
  return r;
}

/** Adds the packets entry `e` replayed since last time to its counters. */
function settle(e: usize): void {
  const packets = load<u32>(e, E_PENDING);
  if (packets === 0) return;
  const shape = load<u32>(e, E_SHAPE);
  addCounts(
    e + E_KEY + ((<usize>(shape & 0xffff)) << 2),
    shape >> 16,
    packets,
    load<u64>(e, E_PENDING_BYTES),
  );
  store<u32>(e, 0, E_PENDING);
  store<u64>(e, 0, E_PENDING_BYTES);
}

/** Brings every rule's and policy's counters up to date with the memo's replays. */
export function settleWalkMemo(): void {
  if (entries === 0) return;
  for (let i: u32 = 0; i < setCount * WAYS; i++) {
    const e = entries + <usize>i * ENTRY_BYTES;
    if (load<u32>(e) !== 0) settle(e);
  }
}

/** Forgets the replays not yet counted (the counters are being zeroed). */
export function dropWalkMemoCounts(): void {
  if (entries === 0) return;
  for (let i: u32 = 0; i < setCount * WAYS; i++) {
    const e = entries + <usize>i * ENTRY_BYTES;
    store<u32>(e, 0, E_PENDING);
    store<u64>(e, 0, E_PENDING_BYTES);
  }
}

/** Switches the memo off for the chains whose walks evaluate fewer than NEAR_RULES rules. */
function offWhereWalksAreNear(): void {
  for (let c: u32 = 0; c < chainCount; c++) {
    const at = descriptors + ((<usize>c) << 2);
    const d = load<u32>(at);
    if (d === 0 || d === <u32>UNCACHEABLE) continue;
    const t = trials + <usize>c * TRIAL_BYTES;
    const misses = load<u32>(t, 8);
    if (misses > 0 && load<u32>(t, 12) < NEAR_RULES * misses) store<u32>(at, <u32>UNCACHEABLE);
  }
}

/**
 * Twice the sets: set s splits into s and s + the old set count on the hash's next bit (each
 * entry keeps its hash), each walk keeping its way, so nothing memoized is lost.
 */
function grow(): void {
  const old = setCount;
  const upper = entries + <usize>old * WAYS * ENTRY_BYTES;
  memory.fill(upper, 0, <usize>old * WAYS * ENTRY_BYTES);
  setCount <<= 1;
  evictions = 0;
  for (let i: u32 = 0; i < old * WAYS; i++) {
    const e = entries + <usize>i * ENTRY_BYTES;
    if (load<u32>(e) === 0 || (load<u32>(e, E_HASH) & old) === 0) continue;
    memory.copy(upper + <usize>i * ENTRY_BYTES, e, ENTRY_BYTES);
    memory.fill(e, 0, ENTRY_BYTES);
  }
}
