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

/** A test of an IPv6 options header (struct ip6t_opts), Hop-by-Hop or Destination Options. */
export interface Ipv6OptionsHeaderTest {
  /** Header length field must equal this. */
  readonly headerLength?: Negated<number>;
  /** The options, in order, that the header must contain (1 to 16). */
  readonly options?: readonly Ipv6OptionTest[];
}

export interface HbhMatch extends Ipv6OptionsHeaderTest {
  readonly kind: 'hbh';
}

declare module '../match.js' {
  interface MatchKinds {
    hbh: HbhMatch;
  }
}
