// physdev: the bridge ports a bridged packet entered / leaves by (kernel xt_physdev).

import type { Negated } from '../common.js';

/** A bridge port name; wildcard: any name starting with `name`. An empty name (iptables stores a zero mask) matches any port. */
export interface PhysdevName {
  readonly name: string;
  readonly wildcard: boolean;
}

export interface PhysdevMatch {
  readonly kind: 'physdev';
  /** The packet came in through a bridge port. */
  readonly isIn?: Negated<true>;
  readonly in?: Negated<PhysdevName>;
  /** The packet goes out through a bridge port. */
  readonly isOut?: Negated<true>;
  readonly out?: Negated<PhysdevName>;
  /** The packet is being bridged (not routed). */
  readonly isBridged?: Negated<true>;
}

declare module '../match.js' {
  interface MatchKinds {
    physdev: PhysdevMatch;
  }
}
