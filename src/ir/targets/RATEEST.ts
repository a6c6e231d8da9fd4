// RATEEST: feed the packet into a named rate estimator (xt_RATEEST), read by -m rateest.

export interface RateestTarget {
  readonly kind: 'RATEEST';
  readonly name: string;
  /** Estimation interval: 2^(interval+2) quarter-seconds, interval in -2..3 (250ms..8s). */
  readonly interval: number;
  /** EWMA time constant: log2 of the averaging weight, 1..30 (struct xt_rateest_target_info). */
  readonly ewmaLog: number;
}

declare module '../target.js' {
  interface TargetKinds {
    RATEEST: RateestTarget;
  }
}
