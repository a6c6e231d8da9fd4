// iprange: source/destination address within an inclusive range (kernel xt_iprange rev 1).

import type { IpRange } from '../address.js';
import type { Negated } from '../common.js';

export interface IprangeMatch {
  readonly kind: 'iprange';
  /** A range whose `from` is above its `to` is kept (it never matches; inverted: always). */
  readonly source?: Negated<IpRange>;
  readonly destination?: Negated<IpRange>;
}

declare module '../match.js' {
  interface MatchKinds {
    iprange: IprangeMatch;
  }
}
