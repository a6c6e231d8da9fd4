// The compiled table in linear memory: section addresses read once from the directory, the
// per-rule index coverage, and the counters (u64 packets, u64 bytes per rule, then per chain's
// policy).

import {
  CHAIN_BYTES,
  DIRECTORY,
  FLAG_IPV6,
  HEADER_FLAGS,
  HEADER_SECTION_COUNT,
  INDEX_WORDS,
  RULE_BYTES,
  S_ACTIONS,
  S_CHAINS,
  S_INDEXES,
  S_NAT_RANGES,
  S_OPS,
  S_PARAMS,
  S_RULES,
  S_STATE_SLOTS,
  S_STRINGS,
  V_GOTO,
  V_JUMP,
} from './layout';
import { alloc, allocLines } from './memory';

export let strings: usize = 0;
export let chains: usize = 0;
export let rules: usize = 0;
export let ops: usize = 0;
export let actions: usize = 0;
export let natRanges: usize = 0;
export let indexes: usize = 0;
export let params: usize = 0;
/** STATE_SLOTS records and their count. */
export let stateSlots: usize = 0;
export let stateSlotCount: u32 = 0;
export let ruleCount: u32 = 0;
export let chainCount: u32 = 0;
export let ipv6: bool = false;
/** Per rule: byte address of its INDEXES record, or 0. */
export let coverage: usize = 0;
/**
 * Per rule, what the walk reads of each rule it comes to (16 bytes, from the 32-byte RULES
 * record and the chains): word 0 the first op slot; word 1 the op slot count (CORE_SLOTS), the
 * verdict (CORE_VERDICT_SHIFT) and CORE_COVERED; word 2 the verdict argument, except that a jump
 * or goto has its target chain's first rule there and the chain's end (one past its last rule)
 * in word 3. A jump then goes straight to the target's rules, without waiting on a chain record
 * first, and the walk needs no per-chain array. Words 4-7 are the rule's counters (u64 packets,
 * u64 bytes): a rule that matches is counted in the cache line the walk just read (two rules a
 * line), not in a separate array — on a large table, a miss fewer per rule counted.
 */
export let ruleCores: usize = 0;
export const RULE_CORE_BYTES: u32 = 32;
const RULE_COUNTERS: usize = 16;
export const CORE_SLOTS: u32 = 0xffffff;
export const CORE_VERDICT_SHIFT: u32 = 24;
/** An index covers the rule (coverage holds its record). */
export const CORE_COVERED: u32 = 0x80000000;
/** Each chain's policy counters (u64 packets, u64 bytes), after the rules' (counterAt). */
export let policyCounters: usize = 0;

/** Reads the directory of the table at `base` (already checked by loadTable on the host). */
export function initTable(base: usize): void {
  ipv6 = (load<u32>(base + HEADER_FLAGS) & FLAG_IPV6) !== 0;
  const n = load<u32>(base + HEADER_SECTION_COUNT);
  for (let i: u32 = 0; i < n; i++) {
    const e = base + DIRECTORY + ((<usize>i) << 4);
    const id = load<u32>(e);
    const at = base + <usize>load<u32>(e, 4);
    const count = load<u32>(e, 12);
    if (id === S_STRINGS) strings = at;
    else if (id === S_CHAINS) {
      chains = at;
      chainCount = count;
    } else if (id === S_RULES) {
      rules = at;
      ruleCount = count;
    } else if (id === S_OPS) ops = at;
    else if (id === S_ACTIONS) actions = at;
    else if (id === S_NAT_RANGES) natRanges = at;
    else if (id === S_INDEXES) indexes = at;
    else if (id === S_PARAMS) params = at;
    else if (id === S_STATE_SLOTS) {
      stateSlots = at;
      stateSlotCount = count;
    }
  }
  coverage = alloc((<usize>ruleCount) << 2);
  ruleCores = allocLines(<usize>ruleCount * RULE_CORE_BYTES);
  for (let g: u32 = 0; g < ruleCount; g++) {
    const rw = rules + <usize>g * RULE_BYTES;
    const core = ruleCores + <usize>g * RULE_CORE_BYTES;
    const verdict = load<u32>(rw, 8);
    let arg = load<u32>(rw, 12);
    let end: u32 = 0;
    if (verdict === V_JUMP || verdict === V_GOTO) {
      const cw = chainAt(arg);
      arg = load<u32>(cw, 8);
      end = arg + load<u32>(cw, 12);
    }
    // loadTable on the host refuses rules of more op slots than CORE_SLOTS holds.
    store<u32>(core, load<u32>(rw));
    store<u32>(core, load<u32>(rw, 4) | (verdict << CORE_VERDICT_SHIFT), 4);
    store<u32>(core, arg, 8);
    store<u32>(core, end, 12);
  }
  const records = load<u32>(indexes);
  for (let r: u32 = 0; r < records; r++) {
    const rec = indexes + 4 + <usize>(r * INDEX_WORDS) * 4;
    const end = load<u32>(rec, 8);
    for (let g = load<u32>(rec, 4); g < end; g++) {
      store<u32>(coverage + ((<usize>g) << 2), <u32>rec);
      const w = ruleCores + <usize>g * RULE_CORE_BYTES + 4;
      store<u32>(w, load<u32>(w) | CORE_COVERED);
    }
  }
  policyCounters = alloc((<usize>chainCount) << 4);
}

/** The counters of counter `c`: rule c, or chain c - ruleCount's policy. */
export function counterAt(c: u32): usize {
  return c < ruleCount
    ? ruleCores + <usize>c * RULE_CORE_BYTES + RULE_COUNTERS
    : policyCounters + ((<usize>(c - ruleCount)) << 4);
}

export function chainAt(c: u32): usize {
  return chains + <usize>c * CHAIN_BYTES;
}

/** Byte address and length of string `id` in the STRINGS blob. */
export function stringAt(id: u32): usize {
  const count = load<u32>(strings);
  return strings + ((<usize>count + 2) << 2) + <usize>load<u32>(strings + 4 + ((<usize>id) << 2));
}

export function stringLength(id: u32): u32 {
  const o = strings + 4 + ((<usize>id) << 2);
  return load<u32>(o, 4) - load<u32>(o);
}

/**
 * Counts one packet of `bytes` on each of the `n` counters (rule index, or ruleCount + chain for
 * a policy) listed at `list`: a walk's, or one the walk memo or the flow cache replays.
 */
export function countPacket(list: usize, n: u32, bytes: u32): void {
  addCounts(list, n, 1, <u64>bytes);
}

/** Adds `packets` packets of `bytes` bytes in all to each of the `n` counters listed at `list`. */
export function addCounts(list: usize, n: u32, packets: u32, bytes: u64): void {
  for (let i: u32 = 0; i < n; i++) {
    const c = counterAt(load<u32>(list + ((<usize>i) << 2)));
    store<u64>(c, load<u64>(c) + <u64>packets);
    store<u64>(c, load<u64>(c, 8) + bytes, 8);
  }
}

/** Zeroes every counter. */
export function resetCounters(): void {
  for (let g: u32 = 0; g < ruleCount; g++) memory.fill(counterAt(g), 0, 16);
  memory.fill(policyCounters, 0, (<usize>chainCount) << 4);
}
