// frag: fields of the IPv6 Fragment extension header (kernel ip6t_frag, struct ip6t_frag).
// The rule matches only packets that have a Fragment header.

import type { Negated } from '../common.js';
import type { UintRange } from './esp.js';

export interface FragMatch {
  readonly kind: 'frag';
  /** Identification range. Absent: any (0:4294967295, not inverted). */
  readonly id?: Negated<UintRange>;
  /** Header length as given; the kernel stores it but does not test it. */
  readonly headerLength?: Negated<number>;
  /** The reserved fields must be zero. */
  readonly reservedZero: boolean;
  /** Fragment offset must be zero (first fragment). */
  readonly first: boolean;
  /** The More Fragments flag must be set. */
  readonly more: boolean;
  /** The More Fragments flag must be clear (last fragment). */
  readonly last: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    frag: FragMatch;
  }
}
