// connbytes: the amount of traffic a connection has seen so far (kernel xt_connbytes).

export interface ConnbytesMatch {
  readonly kind: 'connbytes';
  /**
   * Inclusive counter range [from, to] (to = 2^64-1 when open-ended). Inverted: the counter is
   * outside it. An inverted single-value range cannot be expressed in the kernel and is not
   * inverted.
   */
  readonly count: { readonly from: bigint; readonly to: bigint };
  readonly invert: boolean;
  /** What is counted: packets, bytes, or average bytes per packet. */
  readonly mode: 'packets' | 'bytes' | 'avgpkt';
  /** Which direction's counters: original, reply, or their sum. */
  readonly direction: 'original' | 'reply' | 'both';
}

declare module '../match.js' {
  interface MatchKinds {
    connbytes: ConnbytesMatch;
  }
}
