// realm: the routing realm of the packet's route (dst->tclassid, kernel xt_realm; IPv4).

import type { MaskedValue, Negated } from '../common.js';

export interface RealmMatch {
  readonly kind: 'realm';
  /** (tclassid & mask) === value. */
  readonly realm: Negated<MaskedValue>;
}

declare module '../match.js' {
  interface MatchKinds {
    realm: RealmMatch;
  }
}
