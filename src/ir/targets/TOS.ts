// TOS: change the IPv4 TOS byte / IPv6 traffic class (xt_DSCP's TOS target, revision 1).

export interface TosTarget {
  readonly kind: 'TOS';
  /** Bits XORed in after clearing `mask`: new = (old & ~mask) ^ value (0-255). */
  readonly value: number;
  /** Bits cleared first (0-255). */
  readonly mask: number;
}

declare module '../target.js' {
  interface TargetKinds {
    TOS: TosTarget;
  }
}
