// Split-tree index lookups (src/compiler/tree-lookup.ts): descend each of the record's trees by
// the packet's source, destination, protocol and ports to a leaf; the next candidate is the
// earliest leaf entry at or after the current rule. The leaves of the last record looked up are
// kept for the rest of the walk (those fields do not change during one), so the further
// candidates of a run cost binary searches, not descents.

import {
  MAX_TREES,
  NONE,
  TREE_FLAG_PORTS,
  TREE_FLAGS,
  TREE_LEAF,
  TREE_PORT_BYTES,
  TREE_ROOTS,
  TREE_TREES,
  YES,
} from './layout';
import { guard } from './ops';
import { fields, P_DPORT, P_DST, P_PROTO, P_SPORT, P_SRC } from './packet';
import { indexes } from './table';

// Scratch slot of each tree dimension (TREE_DIMS: src, dst, proto, sport, dport).
const DIM_SLOTS: usize = memory.data<u8>([
  <u8>P_SRC,
  <u8>P_DST,
  <u8>P_PROTO,
  <u8>P_SPORT,
  <u8>P_DPORT,
  0,
  0,
  0,
]);
const leaves: usize = memory.data(<i32>MAX_TREES * 4, 16);

let cachedRec: u32 = NONE;
/** The cached record is bypassed for this packet (its ports cannot be trusted). */
let bypass: bool = false;

/** A new traversal: cached leaves are stale. */
export function beginWalk(): void {
  cachedRec = NONE;
}

function word(at: u32): u32 {
  return load<u32>(indexes + ((<usize>at) << 2));
}

function descend(rec: u32): void {
  cachedRec = rec;
  bypass = (word(rec + TREE_FLAGS) & TREE_FLAG_PORTS) !== 0 && guard(TREE_PORT_BYTES, 1, 0) !== YES;
  if (bypass) return;
  const roots = word(rec + TREE_ROOTS);
  const trees = word(rec + TREE_TREES);
  for (let k: u32 = 0; k < trees; k++) {
    let node = word(roots + k);
    while (true) {
      const dim = word(node);
      if (dim === TREE_LEAF) break;
      const v = load<u32>(fields + ((<usize>load<u8>(DIM_SLOTS + <usize>dim)) << 2));
      node = v <= word(node + 1) ? word(node + 2) : word(node + 3);
    }
    store<u32>(leaves + ((<usize>k) << 2), node);
  }
}

/** The next candidate at or after `rule` in TREE record `rec` (run end `end`); `rule` itself when bypassed. */
export function treeNext(rec: u32, rule: u32, end: u32): u32 {
  if (cachedRec !== rec) descend(rec);
  if (bypass) return rule;
  let best = end;
  const trees = word(rec + TREE_TREES);
  for (let k: u32 = 0; k < trees; k++) {
    const leaf = load<u32>(leaves + ((<usize>k) << 2));
    const list = word(leaf + 1);
    const len = word(leaf + 2);
    let lo: u32 = 0;
    let hi = len;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (word(list + mid) < rule) lo = mid + 1;
      else hi = mid;
    }
    if (lo < len) {
      const r = word(list + lo);
      if (r < best) best = r;
    }
  }
  return best;
}
