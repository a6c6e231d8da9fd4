// Zipf popularity over n ranks: rank k (0-based) is drawn with probability ∝ 1/(k+1)^s. The
// cumulative table costs 8 bytes a rank; a draw is one binary search.

import type { Prng } from '../engine/conntrack/prng.js';

export class ZipfSampler {
  private readonly cdf: Float64Array;

  constructor(
    readonly n: number,
    readonly s: number,
  ) {
    if (!(n >= 1 && Number.isInteger(n))) throw new RangeError(`zipf: need at least one rank, got ${n}`);
    if (!(s >= 0)) throw new RangeError(`zipf: exponent must be >= 0, got ${s}`);
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      sum += 1 / (k + 1) ** s;
      this.cdf[k] = sum;
    }
    for (let k = 0; k < n; k++) this.cdf[k]! /= sum;
  }

  /** A rank in [0, n). */
  sample(prng: Prng): number {
    const u = prng.nextU32() / 4294967296;
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
