// MARK: change the packet's mark (skb->mark), xt_MARK revision 2 (struct xt_mark_tginfo2).

export interface MarkTarget {
  readonly kind: 'MARK';
  /** The new mark is (mark & ~mask) ^ value: bits in mask are cleared, then value is XORed in. */
  readonly value: number;
  readonly mask: number;
}

declare module '../target.js' {
  interface TargetKinds {
    MARK: MarkTarget;
  }
}
