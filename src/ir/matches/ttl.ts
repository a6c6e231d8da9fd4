// ttl: compares the IPv4 header's time-to-live with a constant (kernel xt_hl, struct ipt_ttl_info).

export interface TtlMatch {
  readonly kind: 'ttl';
  /** ttl == value, ttl != value, ttl < value or ttl > value. */
  readonly op: 'eq' | 'ne' | 'lt' | 'gt';
  /** 0-255. */
  readonly value: number;
}

declare module '../match.js' {
  interface MatchKinds {
    ttl: TtlMatch;
  }
}
