// Small helpers over the seeded generator: integers in a range, picks, weighted choices.

import type { Prng } from '../engine/conntrack/prng.js';

/** An integer in [lo, hi] (inclusive); hi - lo < 2^32. */
export function randomInt(prng: Prng, lo: number, hi: number): number {
  return lo + Math.floor((prng.nextU32() / 4294967296) * (hi - lo + 1));
}

export function pick<T>(prng: Prng, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[randomInt(prng, 0, items.length - 1)]!;
}

/** An index chosen with probability proportional to its weight. */
export function weightedIndex(prng: Prng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = (prng.nextU32() / 4294967296) * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}
