// TTL: change the IPv4 time-to-live field (xt_HL, ipt_TTL_info).

/** How a hop-count field is changed; inc/dec saturate at 255 and 0. */
export type HopCountMode = 'set' | 'inc' | 'dec';

export interface TtlTarget {
  readonly kind: 'TTL';
  readonly mode: HopCountMode;
  /** The new value ('set', 0-255) or the amount added/subtracted ('inc'/'dec', 1-255). */
  readonly value: number;
}

declare module '../target.js' {
  interface TargetKinds {
    TTL: TtlTarget;
  }
}
