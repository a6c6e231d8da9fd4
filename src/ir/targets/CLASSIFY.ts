// CLASSIFY: set the packet's traffic-control class (skb->priority), xt_CLASSIFY.

export interface ClassifyTarget {
  readonly kind: 'CLASSIFY';
  /** tc class major number (upper 16 bits of skb->priority). */
  readonly major: number;
  /** tc class minor number (lower 16 bits). */
  readonly minor: number;
}

declare module '../target.js' {
  interface TargetKinds {
    CLASSIFY: ClassifyTarget;
  }
}
