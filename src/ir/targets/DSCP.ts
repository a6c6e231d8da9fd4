// DSCP: set the DiffServ code point, the upper six bits of the IPv4 TOS byte / IPv6 traffic
// class; the ECN bits are kept (xt_DSCP).

export interface DscpTarget {
  readonly kind: 'DSCP';
  /** The code point, 0-63. */
  readonly dscp: number;
}

declare module '../target.js' {
  interface TargetKinds {
    DSCP: DscpTarget;
  }
}
