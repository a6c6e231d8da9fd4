// TEE: send a copy of the packet to a gateway on the local segment; the original continues
// (xt_TEE, revision 1).

export interface TeeTarget {
  readonly kind: 'TEE';
  /** Next hop the copy is routed to (address words of the rule's family; never all zeros). */
  readonly gateway: readonly number[];
  /** Interface the copy must leave by (at most 15 bytes); absent: chosen by routing. */
  readonly oif?: string;
}

declare module '../target.js' {
  interface TargetKinds {
    TEE: TeeTarget;
  }
}
