// rpfilter: reverse path filter - a route back to the packet's source exists through the
// interface it arrived on (kernel xt_rpfilter; raw/mangle PREROUTING only).

export interface RpfilterMatch {
  readonly kind: 'rpfilter';
  /** Any route back to the source suffices, whatever its interface. */
  readonly loose: boolean;
  /** Use the packet's mark in the reverse route lookup. */
  readonly validMark: boolean;
  /** Accept source addresses that are local to the host. */
  readonly acceptLocal: boolean;
  /** Match packets that fail the check instead. */
  readonly invert: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    rpfilter: RpfilterMatch;
  }
}
