// hbh: the IPv6 Hop-by-Hop Options header (kernel ip6t_hbh "hbh", struct ip6t_opts). The rule
// matches only packets that have such a header.

import type { Negated } from '../common.js';

/** One option the header must carry: its type and, when given, its length byte. */
export interface Ipv6OptionTest {
  /** Option type, 0-255. */
  readonly type: number;
  /** Option data length, 0-254; absent: any length. */
  readonly length?: number;
}

export interface HbhMatch {
  readonly kind: 'hbh';
  /** Header length field must equal this. */
  readonly headerLength?: Negated<number>;
  /** The options, in order, that the header must contain (1 to 16). */
  readonly options?: readonly Ipv6OptionTest[];
}

declare module '../match.js' {
  interface MatchKinds {
    hbh: HbhMatch;
  }
}
