// helper: the conntrack helper assigned to the packet's connection (or its master) (kernel
// xt_helper).

import type { Negated } from '../common.js';

export interface HelperMatch {
  readonly kind: 'helper';
  /** Helper name (at most 29 bytes); an empty name matches any connection with a helper. */
  readonly name: Negated<string>;
}

declare module '../match.js' {
  interface MatchKinds {
    helper: HelperMatch;
  }
}
