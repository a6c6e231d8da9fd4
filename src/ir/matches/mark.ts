// mark: the packet's nfmark (skb->mark) under a mask (kernel xt_mark revision 1).

import type { MaskedValue, Negated } from '../common.js';

export interface MarkMatch {
  readonly kind: 'mark';
  /** Matches when (skb->mark & mask) === value. */
  readonly mark: Negated<MaskedValue>;
}

declare module '../match.js' {
  interface MatchKinds {
    mark: MarkMatch;
  }
}
