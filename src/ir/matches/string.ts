// string: searches the packet for a byte pattern (kernel xt_string, struct xt_string_info
// revision 1, using the kernel's textsearch algorithms).

export interface StringMatch {
  readonly kind: 'string';
  /** The bytes searched for (1-128 bytes). */
  readonly pattern: readonly number[];
  /** Textsearch algorithm: Boyer-Moore or Knuth-Morris-Pratt (they can differ on non-linear skbs). */
  readonly algorithm: 'bm' | 'kmp';
  /** The search covers packet bytes from offset `from` up to offset `to` (from the network header). */
  readonly from: number;
  readonly to: number;
  /** Compare ASCII letters case-insensitively. */
  readonly ignoreCase: boolean;
  /** Matches when the pattern is not found. */
  readonly invert: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    string: StringMatch;
  }
}
