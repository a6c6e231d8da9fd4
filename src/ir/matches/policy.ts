// policy: the IPsec policy used for decapsulating (in) or to be used for encapsulating (out)
// the packet (kernel xt_policy).

import type { Negated } from '../common.js';
import type { ConntrackAddress } from './conntrack.js';

/** One element (SA) of an IPsec policy; absent fields are not tested. */
export interface PolicyElement {
  readonly reqid?: Negated<number>;
  readonly spi?: Negated<number>;
  /** IPsec protocol number: 50 (esp), 51 (ah) or 108 (ipcomp). */
  readonly protocol?: Negated<number>;
  readonly mode?: Negated<'transport' | 'tunnel'>;
  /** Tunnel endpoints (address under mask; host bits kept as given). */
  readonly tunnelSrc?: Negated<ConntrackAddress>;
  readonly tunnelDst?: Negated<ConntrackAddress>;
}

export interface PolicyMatch {
  readonly kind: 'policy';
  /** 'in': the policy the packet was decapsulated with; 'out': the one it will be encapsulated with. */
  readonly direction: 'in' | 'out';
  /** 'none': the packet is not (to be) IPsec-processed; 'ipsec': it is, and elements are tested. */
  readonly policy: 'none' | 'ipsec';
  /** The elements must describe the whole policy in order, not just one of its SAs. */
  readonly strict: boolean;
  /** With policy 'ipsec', at least one (possibly empty) element; none with 'none'. */
  readonly elements: readonly PolicyElement[];
}

declare module '../match.js' {
  interface MatchKinds {
    policy: PolicyMatch;
  }
}
