// addrtype: the routing type of the packet's source/destination address (kernel xt_addrtype
// revision 1, RTN_* types).

import type { Negated } from '../common.js';

/** Route types (RTN_*), in kernel numbering order. */
export type AddressType =
  | 'unspec'
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'anycast'
  | 'multicast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw'
  | 'nat'
  | 'xresolve';

export const ADDRESS_TYPE_ORDER: readonly AddressType[] = [
  'unspec',
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
];

export interface AddrtypeMatch {
  readonly kind: 'addrtype';
  /** The source address's type is one of these (set, in ADDRESS_TYPE_ORDER). */
  readonly source?: Negated<readonly AddressType[]>;
  readonly destination?: Negated<readonly AddressType[]>;
  /**
   * Look the address up only on the incoming ('in') or outgoing ('out') device instead of any
   * device.
   */
  readonly limitInterface?: 'in' | 'out';
}

declare module '../match.js' {
  interface MatchKinds {
    addrtype: AddrtypeMatch;
  }
}
