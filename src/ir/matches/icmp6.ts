// icmp6: the type and code of an ICMPv6 header (kernel ip6_tables "icmp6", struct ip6t_icmp).

import type { IcmpTypeTest } from './icmp.js';

/** ICMPv6: no wildcard, type 255 is type 255. */
export interface Icmp6Match extends IcmpTypeTest {
  readonly kind: 'icmp6';
}

declare module '../match.js' {
  interface MatchKinds {
    icmp6: Icmp6Match;
  }
}
