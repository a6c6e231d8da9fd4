// tos: the IPv4 TOS byte / IPv6 traffic class under a mask (kernel xt_dscp "tos" revision 1,
// struct xt_tos_match_info).

export interface TosMatch {
  readonly kind: 'tos';
  /** Matches when (tos & mask) === value. Both 0-255. */
  readonly value: number;
  readonly mask: number;
  readonly invert: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    tos: TosMatch;
  }
}
