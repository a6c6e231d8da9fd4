// Split-tree classification index (INDEXES records of kind TREE): a binary decision tree over
// the rule boxes of a chain (rule-boxes.ts), each inner node splitting one dimension at a
// threshold, each leaf the list, in chain order, of the rules whose boxes meet the leaf's region
// (a rule straddling a split goes down both sides). This is HyperSplit's structure: lookups are
// a few dozen comparisons and a short list, whatever mix of prefixes, ranges and wildcards the
// rules have, where an exact-match hash (build-index.ts) needs the same key fields in every
// rule and tuple-space search one probe per distinct prefix-length pair (measured on ClassBench
// 10k sets: 186-470 tuples, still 22-47 after merging lengths to multiples of 8).
//
// The walk asks for the first leaf entry at or after the current rule, as with the exact index,
// so first-match order, counters and jumps returning into the chain are as in the linear walk.

import { MAX_TREES, TREE_DIMS, TREE_LEAF, TREE_NODE_WORDS } from './format.js';
import type { RuleBox } from './rule-boxes.js';

/** Leaves hold at most this many rules unless no split separates them. */
export const LEAF_RULES = 6;
/**
 * The same for the trees of a forest of several: a lookup scans a leaf in every tree, mostly to
 * its end (ClassBench fw1 10k: 18 box checks a packet in four trees with leaves of 6, 10 with
 * leaves of 2), while a smaller leaf costs each descent a level or two.
 */
export const FOREST_LEAF_RULES = 2;
const MAX_DEPTH = 40;
/** Candidate thresholds tried per dimension and node. */
const CANDIDATES = 24;

export interface SplitTree {
  /** TREE_NODE_WORDS per node; inner node children and leaf lists as indexes, see writeTree. */
  readonly nodes: number[];
  readonly lists: number[];
  readonly leaves: number;
  readonly ports: boolean;
}

interface Split {
  readonly dim: number;
  readonly at: number;
  readonly cost: number;
}

/** Sorted range ends of a node's rules in one dimension, reused from node to node. */
class Scratch {
  los = new Float64Array(0);
  his = new Float64Array(0);
  points = new Float64Array(0);
  fit(n: number): void {
    if (this.los.length >= n) return;
    this.los = new Float64Array(n);
    this.his = new Float64Array(n);
    this.points = new Float64Array(2 * n);
  }
}

function upperBoundIn(a: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m]! <= v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** The best threshold of dimension d for `rules` inside [blo, bhi], or null. */
function bestSplit(
  boxes: readonly RuleBox[],
  rules: readonly number[],
  d: number,
  blo: number,
  bhi: number,
  scratch: Scratch,
): Split | null {
  if (blo >= bhi) return null;
  const n = rules.length;
  scratch.fit(n);
  const los = scratch.los.subarray(0, n);
  const his = scratch.his.subarray(0, n);
  for (let i = 0; i < n; i++) {
    const b = boxes[rules[i]!]!;
    los[i] = Math.max(b.lo[d]!, blo);
    his[i] = Math.min(b.hi[d]!, bhi);
  }
  los.sort();
  his.sort();
  // Thresholds where some rule's clipped range ends (hi) or the next one starts (lo - 1): both
  // lists are sorted already, so merging them sorts the points.
  const points = scratch.points;
  let count = 0;
  let i = 0;
  let j = 0;
  while (i < n && his[i]! >= bhi) i++;
  while (j < n && los[j]! <= blo) j++;
  while (i < n || j < n) {
    const h = i < n ? his[i]! : Number.POSITIVE_INFINITY;
    const l = j < n ? los[j]! - 1 : Number.POSITIVE_INFINITY;
    if (h <= l) {
      points[count++] = h;
      i++;
      while (i < n && his[i]! >= bhi) i++;
    } else {
      points[count++] = l;
      j++;
      while (j < n && los[j]! <= blo) j++;
    }
  }
  if (count === 0) return null;
  let best: Split | null = null;
  const step = Math.max(1, Math.floor(count / CANDIDATES));
  for (let k = Math.floor(step / 2); k < count; k += step) {
    const v = points[k]!;
    const left = upperBoundIn(los, n, v);
    const right = n - upperBoundIn(his, n, v);
    const worst = Math.max(left, right);
    if (worst >= n) continue;
    const cost = worst + 0.5 * (left + right - n);
    if (!best || cost < best.cost) best = { dim: d, at: v, cost };
  }
  return best;
}

/**
 * Builds the tree over `members` (indexes into boxes, in chain order), leaves of up to
 * `leafRules` rules where a split separates them; null past maxListWords.
 */
export function buildSplitTree(
  boxes: readonly RuleBox[],
  members: readonly number[],
  maxListWords: number,
  leafRules = LEAF_RULES,
): SplitTree | null {
  const nodes: number[] = [];
  const lists: number[] = [];
  let leaves = 0;
  let ports = false;
  const ALL = 0xffffffff;
  const scratch = new Scratch();
  const build = (rules: number[], blo: number[], bhi: number[], depth: number): number => {
    const at = nodes.length / TREE_NODE_WORDS;
    nodes.push(TREE_LEAF, 0, 0, 0);
    let split: Split | null = null;
    if (rules.length > leafRules && depth < MAX_DEPTH)
      for (let d = 0; d < TREE_DIMS.length; d++) {
        const s = bestSplit(boxes, rules, d, blo[d]!, bhi[d]!, scratch);
        if (s && (!split || s.cost < split.cost)) split = s;
      }
    if (!split) {
      if (lists.length + rules.length > maxListWords) throw new TreeTooLarge();
      nodes[at * TREE_NODE_WORDS + 1] = lists.length;
      nodes[at * TREE_NODE_WORDS + 2] = rules.length;
      for (const r of rules) lists.push(r);
      leaves++;
      return at;
    }
    const { dim, at: v } = split;
    if (dim >= 3) ports = true;
    const left = rules.filter((r) => Math.max(boxes[r]!.lo[dim]!, blo[dim]!) <= v);
    const right = rules.filter((r) => Math.min(boxes[r]!.hi[dim]!, bhi[dim]!) > v);
    const lhi = [...bhi];
    lhi[dim] = v;
    const rlo = [...blo];
    rlo[dim] = v + 1;
    const l = build(left, blo, lhi, depth + 1);
    const r = build(right, rlo, bhi, depth + 1);
    nodes[at * TREE_NODE_WORDS] = dim;
    nodes[at * TREE_NODE_WORDS + 1] = v;
    nodes[at * TREE_NODE_WORDS + 2] = l;
    nodes[at * TREE_NODE_WORDS + 3] = r;
    return at;
  };
  try {
    build([...members], [0, 0, 0, 0, 0], [ALL, ALL, ALL, ALL, ALL], 0);
  } catch (e) {
    if (e instanceof TreeTooLarge) return null;
    throw e;
  }
  return { nodes, lists, leaves, ports };
}

/** Addresses this wide (shorter than /16) make a rule "wide" in that dimension. */
const WIDE = 0x10000;

/**
 * One tree per group of rules alike in which addresses they leave wide, so the few rules wide in
 * both (copied into nearly every leaf of a shared tree: 48 million leaf entries for ClassBench
 * fw1_10k) do not multiply the others; a lookup descends every tree and takes the earliest
 * candidate. Null when the trees would exceed maxListWords or nothing is split.
 */
export function buildSplitForest(boxes: readonly RuleBox[], maxListWords: number): SplitTree[] | null {
  const wideness: number[] = [];
  const live: number[] = [];
  for (let i = 0; i < boxes.length; i++) {
    const b = boxes[i]!;
    if (b.empty) continue;
    live.push(i);
    wideness[i] = (b.hi[0]! - b.lo[0]! >= WIDE ? 1 : 0) | (b.hi[1]! - b.lo[1]! >= WIDE ? 2 : 0);
  }
  // Fewer trees are faster lookups: one tree, then the rules wide in both addresses apart, then
  // all four groups.
  const partitions: ((i: number) => number)[] = [
    () => 0,
    (i) => (wideness[i] === 3 ? 1 : 0),
    (i) => wideness[i]!,
  ];
  for (const part of partitions) {
    const groups: number[][] = Array.from({ length: MAX_TREES }, () => []);
    for (const i of live) groups[part(i)]!.push(i);
    const trees: SplitTree[] = [];
    let budget = maxListWords;
    const leafRules = groups.filter((g) => g.length > 0).length > 1 ? FOREST_LEAF_RULES : LEAF_RULES;
    for (const members of groups) {
      if (members.length === 0) continue;
      const t = buildSplitTree(boxes, members, budget, leafRules);
      if (!t) break;
      budget -= t.lists.length;
      trees.push(t);
    }
    if (trees.length === groups.filter((g) => g.length > 0).length)
      return trees.some((t) => t.leaves > 1) ? trees : null;
  }
  return null;
}

class TreeTooLarge extends Error {}
