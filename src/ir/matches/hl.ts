// hl: compares the IPv6 header's hop limit with a constant (kernel xt_hl, struct ip6t_hl_info).

export interface HlMatch {
  readonly kind: 'hl';
  /** hop limit == value, != value, < value or > value. */
  readonly op: 'eq' | 'ne' | 'lt' | 'gt';
  /** 0-255. */
  readonly value: number;
}

declare module '../match.js' {
  interface MatchKinds {
    hl: HlMatch;
  }
}
