// Exact-match classification indexes (INDEXES section): for every run of at least MIN_RUN
// consecutive rules of a chain with the same exact-match key fields (kube-proxy's KUBE-SERVICES:
// destination/32, protocol, then the tcp/udp guard and destination port), a hash table from the
// key to the rules having it, in chain order. A second level, behind the guard, keys on the
// fields after it (the port) when every rule of a first-level bucket has the same guard.
// Lookups return the first candidate at or after the current rule, so first-match order, the
// rules before and after the run, and jumps returning into the middle of it are all unchanged.

import { buildSplitForest, type SplitTree } from './build-tree.js';
import {
  BOX,
  BOX_FLAG_EXACT,
  BOX_FLAGS,
  BOX_WORDS,
  INDEX,
  IndexKind,
  NONE,
  RECORD_WORDS,
  SLOT1_HEADER_WORDS,
  SLOT2_HEADER_WORDS,
  SUB_EXACT_ONE,
  TREE,
  TREE_FLAG_PORTS,
  TREE_LEAF,
  TREE_NODE_WORDS,
} from './format.js';
import { hashKey, tableCapacity } from './key-hash.js';
import { type RuleBox, ruleBox } from './rule-boxes.js';
import {
  type KeyDescriptor,
  type RuleKeys,
  scanned,
  scannedKeys,
  scannedSignatureIs,
  scanRuleKeys,
} from './rule-keys.js';
import { WordBuffer } from './word-buffer.js';

/** Shorter runs are walked faster than hashed. */
export const MIN_RUN = 8;
/** A first-level bucket gets a second level from this many rules on. */
const MIN_SUB_BUCKET = 4;

export interface IndexInput {
  readonly ops: Uint32Array;
  /** Per chain: first rule (global) and rule count. */
  readonly chains: readonly { readonly firstRule: number; readonly ruleCount: number }[];
  readonly ruleOpStart: ArrayLike<number>;
  readonly ruleOpSlots: ArrayLike<number>;
  readonly enabled: boolean;
  /** Address words (1 IPv4, 4 IPv6). */
  readonly addrWords: number;
}

/** Chains from this many rules get a split tree, unless exact runs leave few steps to walk. */
export const MIN_TREE_RULES = 16;
const MAX_EXACT_STEPS = 8;
/** Leaf lists may hold this many entries per rule (straddling rules are copied) before giving up. */
const TREE_LIST_BUDGET = 48;

interface TreeRun {
  readonly chain: number;
  readonly start: number;
  readonly end: number;
  readonly trees: readonly SplitTree[];
  /** Per rule of the run, in order. */
  readonly boxes: readonly RuleBox[];
}

/** Per chain: a split tree over the whole chain where exact runs do not cover most of it. */
function chooseTrees(input: IndexInput, runs: Run[]): { runs: Run[]; trees: TreeRun[] } {
  const trees: TreeRun[] = [];
  input.chains.forEach((c, chain) => {
    if (c.ruleCount < MIN_TREE_RULES) return;
    // With exact runs, a walk still visits every run once and every rule outside them.
    const own = runs.filter((r) => r.chain === chain);
    const exact = own.reduce((n, r) => n + r.end - r.start, 0);
    if (own.length + c.ruleCount - exact <= MAX_EXACT_STEPS) return;
    const boxes = [];
    for (let r = c.firstRule; r < c.firstRule + c.ruleCount; r++)
      boxes.push(ruleBox(input.ops, input.ruleOpStart[r]!, input.ruleOpSlots[r]!, input.addrWords));
    const forest = buildSplitForest(boxes, TREE_LIST_BUDGET * c.ruleCount + 4096);
    if (forest)
      trees.push({ chain, start: c.firstRule, end: c.firstRule + c.ruleCount, trees: forest, boxes });
  });
  const treed = new Set(trees.map((t) => t.chain));
  return { runs: runs.filter((r) => !treed.has(r.chain)), trees };
}

/** Copies a record's trees into the pool: node indexes become word offsets, leaf lists global rules. */
function writeTree(out: WordBuffer, rec: number, t: TreeRun): void {
  const roots = out.alloc(t.trees.length);
  let nodeCount = 0;
  let listWords = 0;
  let ports = false;
  for (const [k, tree] of t.trees.entries()) {
    const { nodes, lists } = tree;
    const listAt = out.pushAll(lists.map((r) => t.start + r));
    const nodeAt = out.alloc(nodes.length);
    for (let i = 0; i < nodes.length; i += TREE_NODE_WORDS) {
      const leaf = nodes[i] === TREE_LEAF;
      out.set(nodeAt + i, nodes[i]!);
      out.set(nodeAt + i + 1, leaf ? listAt + nodes[i + 1]! : nodes[i + 1]!);
      out.set(nodeAt + i + 2, leaf ? nodes[i + 2]! : nodeAt + nodes[i + 2]! * TREE_NODE_WORDS);
      out.set(nodeAt + i + 3, leaf ? 0 : nodeAt + nodes[i + 3]! * TREE_NODE_WORDS);
    }
    out.set(roots + k, nodeAt);
    nodeCount += nodes.length / TREE_NODE_WORDS;
    listWords += lists.length;
    ports ||= tree.ports;
  }
  // Boxes narrowing a port are checked against ports too: such packets need the guard.
  ports ||= t.boxes.some((b) => b.ports);
  out.set(rec + INDEX.CHAIN, t.chain);
  out.set(rec + INDEX.RUN_START, t.start);
  out.set(rec + INDEX.RUN_END, t.end);
  out.set(rec + TREE.FLAGS, ports ? TREE_FLAG_PORTS : 0);
  out.set(rec + TREE.ROOTS, roots);
  out.set(rec + TREE.TREES, t.trees.length);
  out.set(rec + TREE.NODES, nodeCount);
  out.set(rec + TREE.LIST_WORDS, listWords);
  out.set(rec + TREE.BOXES, writeBoxes(out, t.boxes));
  out.set(rec + INDEX.KIND, IndexKind.TREE);
}

/** The run's boxes, BOX_WORDS per rule (format.ts BOX); an empty box holds no packet. */
function writeBoxes(out: WordBuffer, boxes: readonly RuleBox[]): number {
  const at = out.alloc(boxes.length * BOX_WORDS);
  // Protocol and port values are 8 and 16 bits: a bound past that is the field's maximum.
  const packed = (b: RuleBox, d: number, max: number, shift: number) =>
    (Math.min(b.lo[d]!, max) | (Math.min(b.hi[d]!, max) << shift)) >>> 0;
  boxes.forEach((b, i) => {
    const w = at + i * BOX_WORDS;
    out.set(w + BOX.SRC, b.empty ? 0xffffffff : b.lo[0]!);
    out.set(w + BOX.SRC + 1, b.empty ? 0 : b.hi[0]!);
    out.set(w + BOX.DST, b.lo[1]!);
    out.set(w + BOX.DST + 1, b.hi[1]!);
    out.set(w + BOX.PROTO, packed(b, 2, 0xff, 8));
    out.set(w + BOX.SPORT, packed(b, 3, 0xffff, 16));
    out.set(w + BOX.DPORT, packed(b, 4, 0xffff, 16));
    out.set(w + BOX_FLAGS, b.exact ? BOX_FLAG_EXACT : 0);
  });
  return at;
}

interface Run {
  readonly chain: number;
  readonly start: number;
  readonly end: number;
  /** The first rule's keys: every rule of the run has the same descriptors. */
  readonly proto: RuleKeys;
  /** Per rule, in order: its key values before the guard (w1 words), after it (w2), its guard. */
  readonly values1: number[];
  readonly values2: number[];
  readonly guards: (readonly number[] | null)[];
  /** Per rule: RuleKeys.exact. */
  readonly exact: boolean[];
}

/**
 * Runs of rules with the same key descriptors. Per rule only the values are kept, in flat arrays:
 * a RuleKeys object per rule, kept to the end, made most of a 100k-rule compile's GC work.
 */
function findRuns(input: IndexInput): Run[] {
  const runs: Run[] = [];
  input.chains.forEach((c, chain) => {
    let run: Run | null = null;
    const close = (end: number) => {
      if (run && run.proto.signature.length > 0 && end - run.start >= MIN_RUN) runs.push({ ...run, end });
    };
    for (let r = c.firstRule; r < c.firstRule + c.ruleCount; r++) {
      scanRuleKeys(input.ops, input.ruleOpStart[r]!, input.ruleOpSlots[r]!);
      if (!run || !scannedSignatureIs(run.proto.signature)) {
        close(r);
        run = {
          chain,
          start: r,
          end: r,
          proto: scannedKeys(),
          values1: [],
          values2: [],
          guards: [],
          exact: [],
        };
      }
      for (let i = 0; i < scanned.count1; i++) run.values1.push(scanned.values1[i]!);
      for (let i = 0; i < scanned.count2; i++) run.values2.push(scanned.values2[i]!);
      run.guards.push(scanned.guarded ? [...scanned.guard] : null);
      run.exact.push(scanned.exact);
    }
    close(c.firstRule + c.ruleCount);
  });
  return runs;
}

/** Rules with equal keys; the key is `words` words of `values` from `at`. */
interface Bucket {
  readonly values: readonly number[];
  readonly at: number;
  readonly rules: number[];
  list: number;
  sub: number;
}

function sameWords(a: readonly number[], ai: number, b: readonly number[], bi: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ai + i] !== b[bi + i]) return false;
  return true;
}

/** The bucket of `buckets` whose key is `words` words of `values` at `at`, if any. */
function findBucket(buckets: readonly Bucket[], values: readonly number[], at: number, words: number) {
  for (const x of buckets) if (sameWords(x.values, x.at, values, at, words)) return x;
  return undefined;
}

/**
 * `n` rules (global indexes, ruleAt(0 .. n-1)) grouped by their key, `words` words of `values`
 * at (rule - base) * words, in first-seen order; keys hashed as numbers (no string per rule).
 */
function group(
  values: readonly number[],
  words: number,
  base: number,
  n: number,
  ruleAt: (i: number) => number,
): Bucket[] {
  const byHash = new Map<number, Bucket[]>();
  const buckets: Bucket[] = [];
  for (let i = 0; i < n; i++) {
    const rule = ruleAt(i);
    const at = (rule - base) * words;
    const h = hashKey(values, at, words);
    let seen = byHash.get(h);
    let b = seen === undefined ? undefined : findBucket(seen, values, at, words);
    if (!b) {
      b = { values, at, rules: [], list: 0, sub: NONE };
      buckets.push(b);
      if (seen === undefined) {
        seen = [];
        byHash.set(h, seen);
      }
      seen.push(b);
    }
    b.rules.push(rule);
  }
  return buckets;
}

/**
 * An open-addressing table (linear probing); `slot` writes a bucket's header (and the tail of
 * `tailWords` after its key) into its slot.
 */
function writeTable(
  out: WordBuffer,
  buckets: readonly Bucket[],
  headerWords: number,
  keyWords: number,
  slot: (at: number, b: Bucket) => void,
  tailWords = 0,
): { capacity: number; at: number } {
  const capacity = tableCapacity(buckets.length);
  const slotWords = headerWords + keyWords + tailWords;
  const at = out.alloc(capacity * slotWords);
  for (const b of buckets) {
    let i = hashKey(b.values, b.at, keyWords) & (capacity - 1);
    while (out.get(at + i * slotWords + 1) !== 0) i = (i + 1) & (capacity - 1);
    const s = at + i * slotWords;
    slot(s, b);
    for (let k = 0; k < keyWords; k++) out.set(s + headerWords + k, b.values[b.at + k]!);
  }
  return { capacity, at };
}

/** A bucket's list offset, or its one rule itself (format.ts SLOT1_HEADER_WORDS: no list to read). */
function writeList(out: WordBuffer, rules: readonly number[]): number {
  return rules.length === 1 ? rules[0]! : out.pushAll(rules);
}

const wordsOf = (ks: readonly KeyDescriptor[]) => ks.reduce((n, k) => n + k.words, 0);

export function buildIndexes(input: IndexInput): { section: Uint32Array; count: number } {
  const chosen = input.enabled ? chooseTrees(input, findRuns(input)) : { runs: [], trees: [] };
  const { runs, trees } = chosen;
  const out = new WordBuffer();
  out.push(runs.length + trees.length);
  const records = out.alloc((runs.length + trees.length) * RECORD_WORDS.INDEX);
  for (const [n, t] of trees.entries()) writeTree(out, records + (runs.length + n) * RECORD_WORDS.INDEX, t);
  runs.forEach((run, n) => {
    const proto = run.proto;
    const rec = records + n * RECORD_WORDS.INDEX;
    const w1 = wordsOf(proto.key1);
    const w2 = wordsOf(proto.key2);
    const desc = out.length;
    for (const d of [...proto.key1, ...proto.key2]) {
      out.push(d.field);
      out.push(d.words);
      for (let i = 0; i < 4; i++) out.push(d.mask[i] ?? 0);
    }
    const level1 = group(run.values1, w1, run.start, run.end - run.start, (i) => run.start + i);
    // Lists and second levels first, so the first-level slots can point at them.
    for (const b of level1) {
      b.list = writeList(out, b.rules);
      const guard = run.guards[b.rules[0]! - run.start]!;
      const sameGuard =
        guard !== null &&
        b.rules.every((r) => {
          const g = run.guards[r - run.start]!;
          return g !== null && sameWords(g, 0, guard, 0, 3);
        });
      if (w2 > 0 && sameGuard && b.rules.length >= MIN_SUB_BUCKET) {
        const level2 = group(run.values2, w2, run.start, b.rules.length, (i) => b.rules[i]!);
        for (const b2 of level2) b2.list = writeList(out, b2.rules);
        b.sub = out.length;
        out.push(guard[0]!);
        out.push(guard[1]!);
        out.push(guard[2]!);
        const capAt = out.alloc(1);
        const t = writeTable(out, level2, SLOT2_HEADER_WORDS, w2, (s, b2) => {
          out.set(s, b2.list);
          out.set(s + 1, b2.rules.length);
        });
        out.set(capAt, t.capacity);
      }
    }
    // A one-rule bucket whose rule is exactly its keys carries the rule's guard and key2 values,
    // so a lookup can prove the match without the rule's ops (kube-proxy's KUBE-SERVICES).
    const exactOne = (b: Bucket) => b.rules.length === 1 && run.exact[b.rules[0]! - run.start]!;
    const tail = w2 > 0 && level1.some(exactOne) ? 3 + w2 : 0;
    const t = writeTable(
      out,
      level1,
      SLOT1_HEADER_WORDS,
      w1,
      (s, b) => {
        out.set(s, b.list);
        out.set(s + 1, b.rules.length);
        out.set(s + 2, b.sub);
        if (!exactOne(b)) return;
        out.set(s + 2, SUB_EXACT_ONE);
        const i = b.rules[0]! - run.start;
        if (tail === 0) return;
        const at = s + SLOT1_HEADER_WORDS + w1;
        for (let k = 0; k < 3; k++) out.set(at + k, run.guards[i]![k]!);
        for (let k = 0; k < w2; k++) out.set(at + 3 + k, run.values2[i * w2 + k]!);
      },
      tail,
    );
    out.set(rec + INDEX.CHAIN, run.chain);
    out.set(rec + INDEX.RUN_START, run.start);
    out.set(rec + INDEX.RUN_END, run.end);
    out.set(rec + INDEX.KEY1_FIELDS, proto.key1.length);
    out.set(rec + INDEX.KEY1_WORDS, w1);
    out.set(rec + INDEX.KEY2_FIELDS, proto.key2.length);
    out.set(rec + INDEX.KEY2_WORDS, w2);
    out.set(rec + INDEX.DESCRIPTORS, desc);
    out.set(rec + INDEX.CAPACITY, t.capacity);
    out.set(rec + INDEX.SLOTS, t.at);
    out.set(rec + INDEX.TAIL_WORDS, tail);
    out.set(rec + INDEX.KIND, IndexKind.EXACT);
  });
  return { section: out.view().slice(), count: runs.length + trees.length };
}
