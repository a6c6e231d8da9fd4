// rt: fields of the IPv6 Routing extension header (kernel ip6t_rt, struct ip6t_rt). The rule
// matches only packets that have a Routing header.

import type { Negated } from '../common.js';
import type { UintRange } from './esp.js';

export interface RtType0Addresses {
  /** IPv6 addresses (four 32-bit words each) that the type 0 header must list, 1 to 16. */
  readonly addresses: readonly (readonly number[])[];
  /** false: exactly these addresses in this order; true: these among others, in this order. */
  readonly notStrict: boolean;
}

export interface RtMatch {
  readonly kind: 'rt';
  /** Routing type (0-4294967295; the header field has 8 bits). */
  readonly type?: Negated<number>;
  /** Segments Left range. Absent: any (0:4294967295, not inverted). */
  readonly segmentsLeft?: Negated<UintRange>;
  /** Header length field must equal this. */
  readonly headerLength?: Negated<number>;
  /** Type 0 only: the reserved field must be zero. */
  readonly reservedZero: boolean;
  /** Type 0 only: the listed addresses. */
  readonly type0Addresses?: RtType0Addresses;
}

declare module '../match.js' {
  interface MatchKinds {
    rt: RtMatch;
  }
}
