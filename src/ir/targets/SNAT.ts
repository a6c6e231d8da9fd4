// SNAT: rewrite the source of a new connection (xt_nat, IPv4 revision 0, IPv6 revision 1).

import type { NatRange } from './nat-range.js';

export interface SnatTarget {
  readonly kind: 'SNAT';
  /** The source addresses/ports to map to. */
  readonly range: NatRange;
}

declare module '../target.js' {
  interface TargetKinds {
    SNAT: SnatTarget;
  }
}
