// mac: the Ethernet source address of the received frame (kernel xt_mac).

import type { Negated } from '../common.js';

export interface MacMatch {
  readonly kind: 'mac';
  /** Six bytes of the source MAC address. */
  readonly source: Negated<readonly number[]>;
}

declare module '../match.js' {
  interface MatchKinds {
    mac: MacMatch;
  }
}
