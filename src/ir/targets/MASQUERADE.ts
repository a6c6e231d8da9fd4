// MASQUERADE: SNAT to the outgoing interface's address, forgotten when the interface goes down
// (xt_MASQUERADE).

import type { NatRange } from './nat-range.js';

export interface MasqueradeTarget {
  readonly kind: 'MASQUERADE';
  /** Source ports and flags; `addresses` is always absent (the interface's address is used). */
  readonly range: NatRange;
}

declare module '../target.js' {
  interface TargetKinds {
    MASQUERADE: MasqueradeTarget;
  }
}
