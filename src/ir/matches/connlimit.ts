// connlimit: compares the number of tracked connections of the packet's address group with a
// limit (kernel xt_connlimit, struct xt_connlimit_info revision 1).

export interface ConnlimitMatch {
  readonly kind: 'connlimit';
  /** The connection count is compared with this. */
  readonly limit: number;
  /** true: matches when the count is above `limit`; false: when it is at most `limit`. */
  readonly above: boolean;
  /** Addresses are grouped by this prefix length (32/128: each address on its own). */
  readonly prefixLen: number;
  /** Which address of the packet selects the group. */
  readonly key: 'source' | 'destination';
}

declare module '../match.js' {
  interface MatchKinds {
    connlimit: ConnlimitMatch;
  }
}
