// dscp: the 6-bit DSCP field of the IPv4 TOS byte / IPv6 traffic class (kernel xt_dscp,
// struct xt_dscp_info).

export interface DscpMatch {
  readonly kind: 'dscp';
  /** 0-63. */
  readonly dscp: number;
  readonly invert: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    dscp: DscpMatch;
  }
}
