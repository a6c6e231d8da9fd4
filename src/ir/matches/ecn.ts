// ecn: ECN bits of the IP header and the TCP header (kernel xt_ecn, struct xt_ecn_info).

import type { Negated } from '../common.js';

export interface EcnMatch {
  readonly kind: 'ecn';
  /** TCP ECE flag must be set (inverted: clear). TCP rules only. */
  readonly tcpEce?: { readonly invert: boolean };
  /** TCP CWR flag must be set (inverted: clear). TCP rules only. */
  readonly tcpCwr?: { readonly invert: boolean };
  /** The IP header's 2-bit ECN field (0-3) must equal this. */
  readonly ipEct?: Negated<number>;
}

declare module '../match.js' {
  interface MatchKinds {
    ecn: EcnMatch;
  }
}
