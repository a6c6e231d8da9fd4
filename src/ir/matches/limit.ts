// limit: a token bucket shared by every packet that reaches the rule (kernel xt_limit,
// struct xt_rateinfo). Credit for one packet accrues every `intervalUs`; up to `burst` packets'
// worth of credit is kept; a packet matches when a whole packet's credit is available.

export interface LimitMatch {
  readonly kind: 'limit';
  /**
   * Average time between matching packets, in microseconds. The kernel keeps it in units of
   * 1/10000 s (XT_LIMIT_SCALE), so this is always a multiple of 100 (at least 100).
   */
  readonly intervalUs: number;
  /** Bucket depth: how many packets may match back to back after an idle period (>= 1). */
  readonly burst: number;
}

declare module '../match.js' {
  interface MatchKinds {
    limit: LimitMatch;
  }
}
