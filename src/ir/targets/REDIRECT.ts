// REDIRECT: DNAT to the local machine — the receiving interface's primary address, or loopback
// for locally generated packets (xt_REDIRECT).

import type { NatRange } from './nat-range.js';

export interface RedirectTarget {
  readonly kind: 'REDIRECT';
  /** Destination ports and flags; `addresses` is always absent (chosen by the kernel). */
  readonly range: NatRange;
}

declare module '../target.js' {
  interface TargetKinds {
    REDIRECT: RedirectTarget;
  }
}
