// TPROXY: divert a packet to a local socket without changing it (xt_TPROXY, revision 1).

import type { MaskedValue } from '../common.js';

export interface TproxyTarget {
  readonly kind: 'TPROXY';
  /** Local port to divert to; 0 means the packet's own destination port. */
  readonly port: number;
  /**
   * Local address to divert to (address words of the rule's family). Absent (all zeros): the
   * primary address of the interface the packet arrived on.
   */
  readonly address?: readonly number[];
  /**
   * Mark set on diverted packets: mark = (mark & ~mask) ^ value. Absent when value and mask are
   * both 0 (the mark is left alone).
   */
  readonly mark?: MaskedValue;
}

declare module '../target.js' {
  interface TargetKinds {
    TPROXY: TproxyTarget;
  }
}
