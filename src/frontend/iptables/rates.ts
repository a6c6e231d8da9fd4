// Rates as libxt_limit and libxt_hashlimit read and print them: `N[/unit]`, and the largest unit
// that a period divides well enough.

/** The seconds a rate unit after '/' stands for (any prefix of second/minute/hour/day, any case). */
export function rateUnitSeconds(rate: string): number | undefined {
  const slash = rate.indexOf('/');
  if (slash < 0) return 1;
  const unit = rate.slice(slash + 1).toLowerCase();
  if (unit === '') return undefined;
  for (const [name, secs] of [
    ['second', 1],
    ['minute', 60],
    ['hour', 3600],
    ['day', 86400],
  ] as const) {
    if (name.startsWith(unit)) return secs;
  }
  return undefined;
}

const RATE_UNITS: readonly (readonly [string, number])[] = [
  ['day', 86400],
  ['hour', 3600],
  ['min', 60],
  ['sec', 1],
];

/**
 * libxt_limit/libxt_hashlimit print_rate: a period (in 1/scale s) as N/unit, choosing the largest
 * unit that the period divides well enough.
 */
export function formatRate(period: bigint, scale: bigint): string {
  if (period === 0n) return 'inf';
  const mult = RATE_UNITS.map(([, secs]) => scale * BigInt(secs));
  let i = 1;
  for (; i < mult.length; i++) {
    const m = mult[i]!;
    if (period > m || m / period < m % period) break;
  }
  return `${mult[i - 1]! / period}/${RATE_UNITS[i - 1]![0]}`;
}
