// Looking a packet up in an INDEXES record (see build-index.ts): the first rule at or after the
// current one that can match, or the end of the indexed run when none can.

import type { CompiledTable } from './compiled-table.js';
import {
  INDEX,
  IndexKind,
  KEY_DESCRIPTOR_WORDS,
  NONE,
  RECORD_WORDS,
  Section,
  SLOT1_HEADER_WORDS,
  SLOT2_HEADER_WORDS,
  SUB_EXACT_ONE,
  SUB_HEADER_WORDS,
} from './format.js';
import { hashKey } from './key-hash.js';
import { firstFrom, treeCandidate } from './tree-lookup.js';

/** What a lookup needs from the packet. */
export interface KeySource {
  word(field: number, i: number): number;
  guard(minLength: number, fragMode: number, shortMode: number): boolean | 'hotdrop';
}

/** Per rule: the INDEXES record covering it (word offset), or -1. */
export function indexCoverage(t: CompiledTable): Int32Array {
  const idx = t.sections[Section.INDEXES];
  const cover = new Int32Array(t.counts[Section.RULES]).fill(-1);
  for (let i = 0; i < idx[0]!; i++) {
    const r = 1 + i * RECORD_WORDS.INDEX;
    cover.fill(r, idx[r + INDEX.RUN_START]!, idx[r + INDEX.RUN_END]!);
  }
  return cover;
}

const key = new Uint32Array(64);

/** Reads `fields` descriptors from `desc` into key[0..]; returns the word count. */
function readKey(idx: Uint32Array, desc: number, fields: number, src: KeySource): number {
  let n = 0;
  for (let f = 0; f < fields; f++) {
    const d = desc + f * KEY_DESCRIPTOR_WORDS;
    const field = idx[d]!;
    for (let i = 0; i < idx[d + 1]!; i++) key[n++] = (src.word(field, i) & idx[d + 2 + i]!) >>> 0;
  }
  return n;
}

/** Linear probing over slots of header, n key words and `tail` words; the slot's word offset or -1. */
function probe(idx: Uint32Array, at: number, capacity: number, header: number, n: number, tail = 0): number {
  const slotWords = header + n + tail;
  let i = hashKey(key, 0, n) & (capacity - 1);
  for (;;) {
    const s = at + i * slotWords;
    if (idx[s + 1] === 0) return -1;
    let same = true;
    for (let k = 0; k < n; k++) {
      if (idx[s + header + k] !== key[k]) {
        same = false;
        break;
      }
    }
    if (same) return s;
    i = (i + 1) & (capacity - 1);
  }
}

export function nextCandidate(t: CompiledTable, rec: number, rule: number, src: KeySource): number {
  const idx = t.sections[Section.INDEXES];
  if (idx[rec + INDEX.KIND] === IndexKind.TREE) return treeCandidate(idx, rec, rule, src);
  const end = idx[rec + INDEX.RUN_END]!;
  const desc = idx[rec + INDEX.DESCRIPTORS]!;
  const k1 = idx[rec + INDEX.KEY1_FIELDS]!;
  const n1 = readKey(idx, desc, k1, src);
  const s1 = probe(
    idx,
    idx[rec + INDEX.SLOTS]!,
    idx[rec + INDEX.CAPACITY]!,
    SLOT1_HEADER_WORDS,
    n1,
    idx[rec + INDEX.TAIL_WORDS]!,
  );
  if (s1 < 0) return end;
  const sub = idx[s1 + 2]!;
  // SUB_EXACT_ONE: the slot's one rule, which the interpreter evaluates like any candidate.
  if (sub !== NONE && sub !== SUB_EXACT_ONE) {
    const g = src.guard(idx[sub]!, idx[sub + 1]!, idx[sub + 2]!);
    // Every rule of the bucket has this guard: a plain failure rules them all out; a hotdrop
    // happens at the first of them, found in the first-level list.
    if (g === false) return end;
    if (g === true) {
      const n2 = readKey(idx, desc + k1 * KEY_DESCRIPTOR_WORDS, idx[rec + INDEX.KEY2_FIELDS]!, src);
      const s2 = probe(idx, sub + SUB_HEADER_WORDS, idx[sub + 3]!, SLOT2_HEADER_WORDS, n2);
      if (s2 < 0) return end;
      return firstListed(idx, idx[s2]!, idx[s2 + 1]!, rule, end);
    }
  }
  return firstListed(idx, idx[s1]!, idx[s1 + 1]!, rule, end);
}

/** firstFrom over a slot's list, which for one rule is the rule itself. */
function firstListed(idx: Uint32Array, list: number, len: number, rule: number, end: number): number {
  if (len === 1) return list >= rule ? list : end;
  return firstFrom(idx, list, len, rule, end);
}
