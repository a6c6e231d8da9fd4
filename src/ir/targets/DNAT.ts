// DNAT: rewrite the destination of a new connection (xt_nat, revision 2: nf_nat_range2).

import type { NatRange } from './nat-range.js';

export interface DnatTarget {
  readonly kind: 'DNAT';
  /** The destination addresses/ports to map to. */
  readonly range: NatRange;
}

declare module '../target.js' {
  interface TargetKinds {
    DNAT: DnatTarget;
  }
}
