// -m string (xt_string.c, string_mt → skb_find_text): searches the packet for a pattern with
// the kernel's textsearch algorithms, lib/ts_bm.c (Boyer-Moore) and lib/ts_kmp.c
// (Knuth-Morris-Pratt), reproduced step for step because their results differ: the kernel's
// Boyer-Moore shift tables can skip over an occurrence that KMP finds.
//
// The window (skb_find_text, skb_seq_read): the search starts at --from (offset from the IP
// header) and runs over the packet's linear data to its end, not just to --to; the first
// occurrence found counts only if it ends by --to (ret + patlen <= to - from). The engine's
// packets are linear: a kernel skb whose payload sits in page fragments is searched block by
// block, and Boyer-Moore then misses occurrences that straddle two blocks.
//
// --icase: both algorithms upper-case the pattern and each text byte with the kernel's
// toupper (lib/ctype.c, ISO 8859-1: also 0xe0-0xfe except 0xf7, plus 0xdf → 0xbf and
// 0xff → 0xdf); Boyer-Moore indexes its bad-character table with the raw text byte, having
// entered both the upper-cased pattern byte and its tolower().

import type { StringMatch } from '../../../ir/matches/string.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { skbLength } from './tcp.js';

/** The kernel's toupper / tolower on a byte (lib/ctype.c _ctype classes). */
const TO_UPPER = new Uint8Array(256);
const TO_LOWER = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const lower = (c >= 0x61 && c <= 0x7a) || (c >= 0xdf && c <= 0xff && c !== 0xf7);
  const upper = (c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c <= 0xde && c !== 0xd7);
  TO_UPPER[c] = lower ? c - 0x20 : c;
  TO_LOWER[c] = upper ? c + 0x20 : c;
}

/** What textsearch_prepare builds once per rule (bm_init / kmp_init). */
interface Prepared {
  /** The pattern, upper-cased under --icase. */
  readonly pattern: Uint8Array;
  /** ts_bm bad_shift[256] and good_shift[patlen]. */
  readonly badShift: Int32Array;
  readonly goodShift: Int32Array;
  /** ts_kmp prefix_tbl[patlen]. */
  readonly prefix: Int32Array;
}

const PREPARED = new WeakMap<StringMatch, Prepared>();

function prepare(m: StringMatch): Prepared {
  let p = PREPARED.get(m);
  if (p) return p;
  const n = m.pattern.length;
  const pattern = new Uint8Array(n);
  for (let i = 0; i < n; i++) pattern[i] = m.ignoreCase ? TO_UPPER[m.pattern[i]!]! : m.pattern[i]!;
  const badShift = new Int32Array(256);
  const goodShift = new Int32Array(n);
  const prefix = new Int32Array(n);
  if (m.algorithm === 'bm') bmTables(pattern, m.ignoreCase, badShift, goodShift);
  else kmpTable(pattern, prefix);
  p = { pattern, badShift, goodShift, prefix };
  PREPARED.set(m, p);
  return p;
}

/** ts_bm compute_prefix_tbl. */
function bmTables(pat: Uint8Array, icase: boolean, badShift: Int32Array, goodShift: Int32Array): void {
  const n = pat.length;
  badShift.fill(n);
  for (let i = 0; i < n - 1; i++) {
    badShift[pat[i]!] = n - 1 - i;
    if (icase) badShift[TO_LOWER[pat[i]!]!] = n - 1 - i;
  }
  goodShift[0] = 1;
  for (let i = 1; i < n; i++) goodShift[i] = n;
  for (let i = n - 1, g = 1; i > 0; g++, i--) {
    for (let j = i - 1; j >= 1 - g; j--) {
      if (subpattern(pat, i, j, g)) {
        goodShift[g] = n - j - g;
        break;
      }
    }
  }
}

/** ts_bm subpattern: whether pat[j..j+g) re-occurs as the suffix pat[i..i+g), preceded differently. */
function subpattern(pat: Uint8Array, i: number, j: number, g: number): boolean {
  let x = i + g - 1;
  let y = j + g - 1;
  while (pat[x--] === pat[y--]) {
    if (y < 0) return true;
    if (--g === 0) return pat[i - 1] !== pat[j - 1];
  }
  return false;
}

/** ts_kmp compute_prefix_tbl, on the (already upper-cased) pattern. */
function kmpTable(pat: Uint8Array, prefix: Int32Array): void {
  prefix[0] = 0;
  for (let k = 0, q = 1; q < pat.length; q++) {
    while (k > 0 && pat[k] !== pat[q]) k = prefix[k - 1]!;
    if (pat[k] === pat[q]) k++;
    prefix[q] = k;
  }
}

/** ts_bm bm_find over text[start, end): the offset from start, or -1. */
function bmFind(text: Uint8Array, start: number, end: number, p: Prepared, icase: boolean): number {
  const pat = p.pattern;
  const n = pat.length;
  const textLen = end - start;
  let shift = n - 1;
  while (shift < textLen) {
    // matchpat: compare right to left from text[shift].
    let i = 0;
    for (; i < n; i++) {
      const t = text[start + shift - i]!;
      if ((icase ? TO_UPPER[t]! : t) !== pat[n - 1 - i]) break;
    }
    if (i === n) return shift - (n - 1);
    const bs = p.badShift[text[start + shift - i]!]!;
    shift = Math.max(shift - i + bs, shift + p.goodShift[i]!);
  }
  return -1;
}

/** ts_kmp kmp_find over text[start, end): the offset from start of the first occurrence, or -1. */
function kmpFind(text: Uint8Array, start: number, end: number, p: Prepared, icase: boolean): number {
  const pat = p.pattern;
  const n = pat.length;
  let q = 0;
  for (let i = start; i < end; i++) {
    const t = icase ? TO_UPPER[text[i]!]! : text[i]!;
    while (q > 0 && pat[q] !== t) q = p.prefix[q - 1]!;
    if (pat[q] === t) q++;
    if (q === n) return i + 1 - n - start;
  }
  return -1;
}

export const stringEvaluator: MatchEvaluator<StringMatch> = {
  kind: 'string',
  test(m, ctx) {
    const p = ctx.packet;
    const len = skbLength(p);
    let found = false;
    // skb_seq_read yields nothing when --from is at or past --to or the packet's end.
    if (m.from < m.to && m.from < len) {
      const prep = prepare(m);
      const at =
        m.algorithm === 'bm'
          ? bmFind(p.bytes, m.from, len, prep, m.ignoreCase)
          : kmpFind(p.bytes, m.from, len, prep, m.ignoreCase);
      found = at >= 0 && at + prep.pattern.length <= m.to - m.from;
    }
    return found !== m.invert;
  },
};
