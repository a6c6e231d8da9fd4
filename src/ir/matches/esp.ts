// esp: the Security Parameters Index of an ESP header (kernel xt_esp, struct xt_esp).

import type { Negated } from '../common.js';

/** An inclusive range of unsigned 32-bit values; from > to is allowed and contains nothing. */
export interface UintRange {
  readonly from: number;
  readonly to: number;
}

export interface EspMatch {
  readonly kind: 'esp';
  /** SPI range. Absent: any SPI (0:4294967295, not inverted). */
  readonly spi?: Negated<UintRange>;
}

declare module '../match.js' {
  interface MatchKinds {
    esp: EspMatch;
  }
}
