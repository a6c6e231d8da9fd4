// Classification index lookups (src/compiler/index-lookup.ts): the first rule at or after the
// current one whose exact keys can match, or the end of the indexed run.

import {
  HOTDROP,
  INDEX_KIND,
  INDEX_TAIL_WORDS,
  INDEX_TREE,
  KEY_DESCRIPTOR_WORDS,
  NO,
  NONE,
  SLOT1_HEADER_WORDS,
  SLOT2_HEADER_WORDS,
  SUB_EXACT_ONE,
  SUB_HEADER_WORDS,
  YES,
} from './layout';
import { fieldWord, guard } from './ops';
import { indexes } from './table';
import { treeCandidateMatches, treeNext } from './tree';

const key: usize = memory.data(256, 16);

function word(at: u32): u32 {
  return load<u32>(indexes + ((<usize>at) << 2));
}

/** murmur3 over n key words (src/compiler/key-hash.ts). */
function hashKey(n: u32): u32 {
  let h: u32 = 0x9747b28c;
  for (let i: u32 = 0; i < n; i++) {
    let k = load<u32>(key + ((<usize>i) << 2)) * 0xcc9e2d51;
    k = rotl<u32>(k, 15) * 0x1b873593;
    h ^= k;
    h = rotl<u32>(h, 13) * 5 + 0xe6546b64;
  }
  h ^= n << 2;
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/** Reads `count` descriptors at word `desc` into key; returns the word count. */
function readKey(desc: u32, count: u32): u32 {
  let n: u32 = 0;
  for (let f: u32 = 0; f < count; f++) {
    const d = desc + f * KEY_DESCRIPTOR_WORDS;
    const field = word(d);
    const words = word(d + 1);
    for (let i: u32 = 0; i < words; i++) {
      store<u32>(key + ((<usize>n) << 2), fieldWord(field, i) & word(d + 2 + i));
      n++;
    }
  }
  return n;
}

/** Linear probing over slots of header, n key words and `tail` words; the slot's word offset or NONE. */
function probe(at: u32, capacity: u32, header: u32, n: u32, tail: u32): u32 {
  const slotWords = header + n + tail;
  let i = hashKey(n) & (capacity - 1);
  while (true) {
    const s = at + i * slotWords;
    if (word(s + 1) === 0) return NONE;
    let same = true;
    for (let k: u32 = 0; k < n; k++) {
      if (word(s + header + k) !== load<u32>(key + ((<usize>k) << 2))) {
        same = false;
        break;
      }
    }
    if (same) return s;
    i = (i + 1) & (capacity - 1);
  }
}

/** First entry >= rule in the sorted list of len words at `list` (a list of one is the rule itself), else `end`. */
function firstFrom(list: u32, len: u32, rule: u32, end: u32): u32 {
  if (len === 1) return list >= rule ? list : end;
  let lo: u32 = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (word(list + mid) < rule) lo = mid + 1;
    else hi = mid;
  }
  return lo < len ? word(list + lo) : end;
}

/**
 * A first-level slot whose one rule `r` is exactly its keys: with the first-level key equal, the
 * rule matches when the packet passes its guard and has its second-level key (the slot's tail at
 * word `at`: guard words, then key2 values; its descriptors: k2 at desc2). A guard that does not pass leaves the rule to the
 * walk (it fails or hotdrops there, exactly as its ops say).
 */
function exactOne(at: u32, r: u32, rule: u32, end: u32, desc2: u32, k2: u32, tail: u32): u32 {
  if (r < rule) return end;
  if (tail !== 0) {
    if (guard(word(at), word(at + 1), word(at + 2)) !== YES) return r;
    const n2 = readKey(desc2, k2);
    for (let k: u32 = 0; k < n2; k++) if (word(at + 3 + k) !== load<u32>(key + ((<usize>k) << 2))) return end;
  }
  candidateMatches = true;
  return r;
}

/**
 * The candidate nextCandidate last returned is known to match (a split tree's exact box held
 * it), so the walk need not evaluate its ops.
 */
export let candidateMatches: bool = false;

/** `recAddr`: byte address of the INDEXES record covering global rule `rule`. */
export function nextCandidate(recAddr: usize, rule: u32): u32 {
  const rec = <u32>((recAddr - indexes) >> 2);
  const end = word(rec + 2);
  if (word(rec + INDEX_KIND) === INDEX_TREE) {
    const next = treeNext(rec, rule, end);
    candidateMatches = treeCandidateMatches;
    return next;
  }
  candidateMatches = false;
  const desc = word(rec + 7);
  const k1 = word(rec + 3);
  const n1 = readKey(desc, k1);
  const tail = word(rec + INDEX_TAIL_WORDS);
  const s1 = probe(word(rec + 9), word(rec + 8), SLOT1_HEADER_WORDS, n1, tail);
  if (s1 === NONE) return end;
  const sub = word(s1 + 2);
  if (sub === SUB_EXACT_ONE)
    return exactOne(
      s1 + SLOT1_HEADER_WORDS + n1,
      word(s1),
      rule,
      end,
      desc + k1 * KEY_DESCRIPTOR_WORDS,
      word(rec + 5),
      tail,
    );
  if (sub !== NONE) {
    const g = guard(word(sub), word(sub + 1), word(sub + 2));
    if (g === NO) return end;
    if (g !== HOTDROP) {
      const n2 = readKey(desc + k1 * KEY_DESCRIPTOR_WORDS, word(rec + 5));
      const s2 = probe(sub + SUB_HEADER_WORDS, word(sub + 3), SLOT2_HEADER_WORDS, n2, 0);
      if (s2 === NONE) return end;
      return firstFrom(word(s2), word(s2 + 1), rule, end);
    }
  }
  return firstFrom(word(s1), word(s1 + 1), rule, end);
}
