// statistic: match a fraction of packets, randomly or every nth (kernel xt_statistic,
// struct xt_statistic_info).

export interface StatisticRandom {
  readonly mode: 'random';
  /**
   * The kernel's 31-bit fixed-point probability: a packet matches when a fresh random 32-bit
   * number, masked to its low 31 bits, is below this (0 = never, 0x80000000 = always).
   */
  readonly threshold: number;
}

export interface StatisticNth {
  readonly mode: 'nth';
  /** Matches one packet in every `every` (>= 1); the count is shared by all CPUs. */
  readonly every: number;
  /** Which packet of each group of `every` matches, 0-based (0 <= packet < every). */
  readonly packet: number;
}

export type StatisticMatch = {
  readonly kind: 'statistic';
  /** Inverts the result. */
  readonly invert: boolean;
} & (StatisticRandom | StatisticNth);

declare module '../match.js' {
  interface MatchKinds {
    statistic: StatisticMatch;
  }
}
