// devgroup: the device group of the incoming / outgoing interface (kernel xt_devgroup).

import type { MaskedValue, Negated } from '../common.js';

export interface DevgroupMatch {
  readonly kind: 'devgroup';
  /** (in-dev group & mask) === value. Only usable where there is an input device. */
  readonly source?: Negated<MaskedValue>;
  /** (out-dev group & mask) === value. Only usable where there is an output device. */
  readonly destination?: Negated<MaskedValue>;
}

declare module '../match.js' {
  interface MatchKinds {
    devgroup: DevgroupMatch;
  }
}
