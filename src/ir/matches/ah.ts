// ah: fields of an IPsec Authentication Header (kernel ipt_ah for IPv4, ip6t_ah for IPv6, which
// finds the header among the extension headers).

import type { Negated } from '../common.js';
import type { UintRange } from './esp.js';

export interface AhMatch {
  readonly kind: 'ah';
  /** SPI range. Absent: any SPI (0:4294967295, not inverted). */
  readonly spi?: Negated<UintRange>;
  /**
   * IPv6 only: the header's length field must equal this. The kernel ignores a value of 0 even
   * when inverted; absent when 0 and not inverted.
   */
  readonly headerLength?: Negated<number>;
  /** IPv6 only: the reserved field must be zero. */
  readonly reservedZero: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    ah: AhMatch;
  }
}
