// multiport: up to 15 ports or port ranges of a TCP/UDP/UDPLITE/SCTP/DCCP header
// (kernel xt_multiport revision 1, struct xt_multiport_v1).

import type { PortRange } from '../common.js';

export interface MultiportMatch {
  readonly kind: 'multiport';
  /** Which port is tested: source, destination, or either of the two. */
  readonly direction: 'source' | 'destination' | 'either';
  /**
   * The ports, in the rule's order; a single port has from === to. A range takes two of the
   * kernel's 15 slots, a single port one.
   */
  readonly ports: readonly PortRange[];
  /** Matches when the port is in none of them. */
  readonly invert: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    multiport: MultiportMatch;
  }
}
