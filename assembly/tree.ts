// Split-tree index lookups (src/compiler/tree-lookup.ts): descend each of the record's trees by
// the packet's source, destination, protocol and ports to a leaf; the next candidate is the
// earliest leaf entry at or after the current rule whose box holds the packet. The leaves of
// the last record looked up are kept for the rest of the walk (those fields do not change
// during one), each with a cursor at its next candidate: the walk only moves forward within a
// chain, so every leaf entry is looked at (its box checked) at most once per packet, and a
// further candidate costs a comparison per tree. A jump back (the chain entered again) resets
// the cursors.

import {
  BOX_FLAG_EXACT,
  BOX_FLAGS_BYTE,
  BOX_WORDS,
  MAX_TREES,
  NONE,
  TREE_BOXES,
  TREE_FLAG_PORTS,
  TREE_FLAGS,
  TREE_LEAF,
  TREE_PORT_BYTES,
  TREE_ROOTS,
  TREE_RUN_START,
  TREE_TREES,
  YES,
} from './layout';
import { guard } from './ops';
import { fields, P_DPORT, P_DST, P_PROTO, P_SPORT, P_SRC } from './packet';
import { indexes } from './table';

// Per tree: the leaf's list address, its end, and the cursor (byte addresses).
const cursors: usize = memory.data(<i32>MAX_TREES * 16, 16);

let cachedRec: u32 = NONE;
let trees: u32 = 0;
/** The last rule asked about: a smaller one means the chain was entered again. */
let lastRule: u32 = 0;
/** The cached record is bypassed for this packet (its ports cannot be trusted). */
let bypass: bool = false;
/** Byte address of the box of the run's rule 0 (boxes of rule r at + r * BOX_WORDS words). */
let boxBase: usize = 0;
let src: u32 = 0;
let dst: u32 = 0;
let proto: u32 = 0;
let sport: u32 = 0;
let dport: u32 = 0;

/**
 * The packet's value per tree dimension (TREE_DIMS: src, dst, proto, sport, dport), indexed by
 * a node's first word; a leaf's TREE_LEAF reads a zero here, so a descent step needs no branch.
 */
const keys: usize = memory.data(256 * 4, 16);
/** A leaf with an empty list, standing in for the trees a record does not have. */
const emptyLeaf: usize = memory.data<u32>([TREE_LEAF, 0, 0, 0]);

/** A new traversal: cached leaves are stale. */
export function beginWalk(): void {
  cachedRec = NONE;
}

function word(at: u32): u32 {
  return load<u32>(indexes + ((<usize>at) << 2));
}

function field(slot: u32): u32 {
  return load<u32>(fields + ((<usize>slot) << 2));
}

/** Unsigned lo <= v <= hi as one comparison. */
// @ts-expect-error: decorator
function within(v: u32, box: usize, offset: usize): bool {
  const lo = load<u32>(box + offset);
  return v - lo <= load<u32>(box + offset, 4) - lo;
}

/** Unsigned lo <= v <= hi for a packed pair (lo in the low `bits` bits, hi above). */
// @ts-expect-error: decorator
function withinPacked(v: u32, pair: u32, bits: u32, mask: u32): bool {
  const lo = pair & mask;
  return v - lo <= ((pair >> bits) & mask) - lo;
}

function boxHolds(rule: u32): bool {
  const box = boxBase + <usize>rule * (BOX_WORDS << 2);
  // All five at once: a short-circuit would be a branch the CPU mispredicts.
  return (
    within(src, box, 0) &
    within(dst, box, 8) &
    withinPacked(proto, load<u32>(box, 16), 8, 0xff) &
    withinPacked(sport, load<u32>(box, 20), 16, 0xffff) &
    withinPacked(dport, load<u32>(box, 24), 16, 0xffff)
  );
}

/** One level down from node address `n` (a leaf stays), without a branch. */
// @ts-expect-error: decorator
function step(n: usize): usize {
  const dim = load<u32>(n);
  const left = load<u32>(keys + ((<usize>dim) << 2)) <= load<u32>(n, 4);
  const child = indexes + ((<usize>select<u32>(load<u32>(n, 8), load<u32>(n, 12), left)) << 2);
  return select<usize>(n, child, dim === TREE_LEAF);
}

function rootAt(roots: u32, k: u32): usize {
  return k < trees ? indexes + ((<usize>word(roots + k)) << 2) : emptyLeaf;
}

function setCursor(k: u32, leaf: usize): void {
  const c = cursors + ((<usize>k) << 4);
  const list = indexes + ((<usize>load<u32>(leaf, 4)) << 2);
  store<usize>(c, list);
  store<usize>(c, list + ((<usize>load<u32>(leaf, 8)) << 2), 4);
  store<usize>(c, list, 8);
}

function descend(rec: u32): void {
  cachedRec = rec;
  bypass = (word(rec + TREE_FLAGS) & TREE_FLAG_PORTS) !== 0 && guard(TREE_PORT_BYTES, 1, 0) !== YES;
  if (bypass) return;
  src = field(P_SRC);
  dst = field(P_DST);
  proto = field(P_PROTO);
  sport = field(P_SPORT);
  dport = field(P_DPORT);
  store<u32>(keys, src);
  store<u32>(keys, dst, 4);
  store<u32>(keys, proto, 8);
  store<u32>(keys, sport, 12);
  store<u32>(keys, dport, 16);
  const start = word(rec + TREE_RUN_START);
  boxBase = indexes + ((<usize>word(rec + TREE_BOXES)) << 2) - <usize>start * (BOX_WORDS << 2);
  const roots = word(rec + TREE_ROOTS);
  trees = word(rec + TREE_TREES);
  // The (up to MAX_TREES = 4) trees descend in lockstep: their loads do not wait on each other.
  let a = rootAt(roots, 0);
  let b = rootAt(roots, 1);
  let c = rootAt(roots, 2);
  let d = rootAt(roots, 3);
  while ((load<u32>(a) & load<u32>(b) & load<u32>(c) & load<u32>(d)) !== TREE_LEAF) {
    a = step(a);
    b = step(b);
    c = step(c);
    d = step(d);
  }
  setCursor(0, a);
  setCursor(1, b);
  setCursor(2, c);
  setCursor(3, d);
  lastRule = 0;
}

/** The candidate treeNext last returned matches: its box holds the packet and is the whole rule. */
export let treeCandidateMatches: bool = false;

/** The next candidate at or after `rule` in TREE record `rec` (run end `end`); `rule` itself when bypassed. */
export function treeNext(rec: u32, rule: u32, end: u32): u32 {
  treeCandidateMatches = false;
  if (cachedRec !== rec) descend(rec);
  if (bypass) return rule;
  if (rule < lastRule) {
    for (let k: u32 = 0; k < trees; k++) {
      const c = cursors + ((<usize>k) << 4);
      store<usize>(c, load<usize>(c), 8);
    }
  }
  lastRule = rule;
  let best = end;
  for (let k: u32 = 0; k < trees; k++) {
    const c = cursors + ((<usize>k) << 4);
    const stop = load<usize>(c, 4);
    let at = load<usize>(c, 8);
    while (at < stop) {
      const r = load<u32>(at);
      if (r >= best) break;
      if (r >= rule && boxHolds(r)) {
        best = r;
        break;
      }
      at += 4;
    }
    store<usize>(c, at, 8);
  }
  if (best !== end)
    treeCandidateMatches =
      (load<u32>(boxBase + <usize>best * (BOX_WORDS << 2), BOX_FLAGS_BYTE) & BOX_FLAG_EXACT) !== 0;
  return best;
}
