// connmark: the conntrack entry's mark (ct->mark) under a mask (kernel xt_connmark rev 1).

import type { MaskedValue, Negated } from '../common.js';

export interface ConnmarkMatch {
  readonly kind: 'connmark';
  /** Matches when (ct->mark & mask) === value; never matches packets without conntrack. */
  readonly mark: Negated<MaskedValue>;
}

declare module '../match.js' {
  interface MatchKinds {
    connmark: ConnmarkMatch;
  }
}
