// quota: matches until a byte budget shared by the rule is used up (kernel xt_quota).

export interface QuotaMatch {
  readonly kind: 'quota';
  /** Bytes (whole packet lengths) that match before the quota is exhausted; 64-bit. */
  readonly bytes: bigint;
  /** Inverts the result: matches only once the quota is exhausted. */
  readonly invert: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    quota: QuotaMatch;
  }
}
