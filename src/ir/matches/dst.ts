// dst: the IPv6 Destination Options header (kernel ip6t_hbh "dst", struct ip6t_opts). The rule
// matches only packets that have such a header.

import type { Negated } from '../common.js';
import type { Ipv6OptionTest } from './hbh.js';

export interface DstMatch {
  readonly kind: 'dst';
  /** Header length field must equal this. */
  readonly headerLength?: Negated<number>;
  /** The options, in order, that the header must contain (1 to 16). */
  readonly options?: readonly Ipv6OptionTest[];
}

declare module '../match.js' {
  interface MatchKinds {
    dst: DstMatch;
  }
}
