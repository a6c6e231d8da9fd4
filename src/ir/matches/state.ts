// state: the packet's connection state (kernel xt_conntrack used through its state alias,
// iptables' -m state; the same test as conntrack's state part).

import type { Negated } from '../common.js';
import type { ConntrackStateSet } from './conntrack.js';

export interface StateMatch {
  readonly kind: 'state';
  /** Matches when the packet's state is one of these (never snat/dnat here). */
  readonly states: Negated<ConntrackStateSet>;
}

declare module '../match.js' {
  interface MatchKinds {
    state: StateMatch;
  }
}
