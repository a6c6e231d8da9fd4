// dst: the IPv6 Destination Options header (kernel ip6t_hbh "dst", struct ip6t_opts). The rule
// matches only packets that have such a header.

import type { Ipv6OptionsHeaderTest } from './hbh.js';

export interface DstMatch extends Ipv6OptionsHeaderTest {
  readonly kind: 'dst';
}

declare module '../match.js' {
  interface MatchKinds {
    dst: DstMatch;
  }
}
