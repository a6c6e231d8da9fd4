// Looking a packet up in a TREE index record (build-tree.ts): descend by the packet's fields to
// a leaf, then the first listed rule at or after the current one whose box (rule-boxes.ts)
// holds the packet, or the end of the run. A tree that splits on ports is bypassed (the current
// rule is returned, so the walk evaluates it) for packets whose transport header some port
// test's guard could refuse: later fragments and packets with fewer than TREE_PORT_BYTES at the
// transport offset. Boxes use ports too, so they are bypassed for those packets as well.

import {
  BOX,
  BOX_WORDS,
  FragMode,
  INDEX,
  TREE,
  TREE_DIMS,
  TREE_FLAG_PORTS,
  TREE_LEAF,
  TREE_PORT_BYTES,
} from './format.js';

/** What a lookup needs from the packet (index-lookup.ts's KeySource). */
export interface TreeKeySource {
  word(field: number, i: number): number;
  guard(minLength: number, fragMode: number, shortMode: number): boolean | 'hotdrop';
}

/** First entry >= rule in the sorted list at idx[list .. list+len), else `end`. */
export function firstFrom(idx: Uint32Array, list: number, len: number, rule: number, end: number): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (idx[list + mid]! < rule) lo = mid + 1;
    else hi = mid;
  }
  return lo < len ? idx[list + lo]! : end;
}

/** The packet's value in each tree dimension. */
function keyOf(src: TreeKeySource): number[] {
  return TREE_DIMS.map((f) => src.word(f, 0) >>> 0);
}

/** Box at word `box` (format.ts BOX) holds the packet `key`. */
export function boxHolds(idx: Uint32Array, box: number, key: readonly number[]): boolean {
  const within = (v: number, lo: number, hi: number) => v >= lo && v <= hi;
  const proto = idx[box + BOX.PROTO]!;
  const sport = idx[box + BOX.SPORT]!;
  const dport = idx[box + BOX.DPORT]!;
  return (
    within(key[0]!, idx[box + BOX.SRC]!, idx[box + BOX.SRC + 1]!) &&
    within(key[1]!, idx[box + BOX.DST]!, idx[box + BOX.DST + 1]!) &&
    within(key[2]!, proto & 0xff, (proto >>> 8) & 0xff) &&
    within(key[3]!, sport & 0xffff, sport >>> 16) &&
    within(key[4]!, dport & 0xffff, dport >>> 16)
  );
}

export function treeCandidate(idx: Uint32Array, rec: number, rule: number, src: TreeKeySource): number {
  if ((idx[rec + TREE.FLAGS]! & TREE_FLAG_PORTS) !== 0) {
    if (src.guard(TREE_PORT_BYTES, FragMode.NO_MATCH, 0) !== true) return rule;
  }
  const key = keyOf(src);
  const start = idx[rec + INDEX.RUN_START]!;
  const boxes = idx[rec + TREE.BOXES]!;
  // Every tree holds its own rules: the earliest candidate of any of them is the next one.
  let best = idx[rec + INDEX.RUN_END]!;
  const roots = idx[rec + TREE.ROOTS]!;
  for (let k = 0; k < idx[rec + TREE.TREES]!; k++) {
    let node = idx[roots + k]!;
    while (idx[node] !== TREE_LEAF)
      node = key[idx[node]!]! <= idx[node + 1]! ? idx[node + 2]! : idx[node + 3]!;
    const list = idx[node + 1]!;
    const len = idx[node + 2]!;
    for (let i = 0; i < len; i++) {
      const r = idx[list + i]!;
      if (r >= best) break;
      if (r >= rule && boxHolds(idx, boxes + (r - start) * BOX_WORDS, key)) {
        best = r;
        break;
      }
    }
  }
  return best;
}
