// HL: change the IPv6 hop limit field (xt_HL, ip6t_HL_info).

import type { HopCountMode } from './TTL.js';

export interface HlTarget {
  readonly kind: 'HL';
  readonly mode: HopCountMode;
  /** The new value ('set', 0-255) or the amount added/subtracted ('inc'/'dec', 1-255). */
  readonly value: number;
}

declare module '../target.js' {
  interface TargetKinds {
    HL: HlTarget;
  }
}
