// -m limit (libxt_limit): --limit RATE[/second|/minute|/hour|/day], --limit-burst N.
// Also the rate and number helpers the other rate matches (hashlimit) share.

import type { LimitMatch } from '../../../ir/matches/limit.js';
import { type MatchExtension, type OptionUse, type ParseContext, single } from '../extension.js';
import { parseUintInRange } from '../numbers.js';

/** XT_LIMIT_SCALE: xt_rateinfo.avg counts 1/10000 s. */
const LIMIT_SCALE = 10000;
const DEFAULT_BURST = 5;
const DEFAULT_RATE = '3/hour';

/**
 * C's strtoll over a prefix of `text` (atoi/atoll): leading white space, a sign, decimal digits,
 * stopping at the first other character; out-of-range values clamp to the signed 64-bit limits.
 */
export function cStrtoll(text: string): bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)/.exec(text)!;
  if (m[2] === '') return 0n;
  let v = BigInt(m[2]!);
  if (m[1] === '-') v = -v;
  const max = (1n << 63n) - 1n;
  if (v > max) return max;
  if (v < -max - 1n) return -max - 1n;
  return v;
}

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

/** An XTTYPE_UINT* option: strtoul base 0 within [min, max], with xtables' error message. */
export function uintOption(
  use: OptionUse,
  ctx: ParseContext,
  module: string,
  min: number,
  max: number,
): number {
  const n = parseUintInRange(use.value!, min, max);
  if (n === undefined) {
    ctx.error(
      use.valueAt,
      `${module}: bad value for option "--${use.name}", or out of range (${min}-${max}): \`${use.value}'`,
    );
  }
  return n!;
}

/** One row of an xtables option table, for the checks xtables_options_fcheck makes. */
export interface FcheckEntry {
  readonly name: string;
  /** XTOPT_MAND. */
  readonly mand?: boolean;
  /** Options this one requires (xt_option_entry.also). */
  readonly also?: readonly string[];
  /** Options this one excludes (xt_option_entry.excl). */
  readonly excl?: readonly string[];
}

/**
 * xtables_options_fcheck, which runs after the module's own final check: mandatory options,
 * then for each given option (in table order) the options it requires or excludes.
 */
export function optionsFcheck(
  module: string,
  table: readonly FcheckEntry[],
  uses: readonly OptionUse[],
  ctx: ParseContext,
  at: OptionUse['at'],
): void {
  const used = (n: string) => uses.find((u) => u.name === n);
  for (const e of table) {
    const u = used(e.name);
    if (e.mand && !u) ctx.error(at, `${module}: option "--${e.name}" must be specified`);
    if (!u) continue;
    for (const o of table) {
      if (o === e) continue;
      if (e.also?.includes(o.name) && !used(o.name)) {
        ctx.error(u.at, `${module}: option "--${e.name}" also requires "--${o.name}"`);
      }
      if (e.excl?.includes(o.name) && used(o.name)) {
        ctx.error(u.at, `${module}: option "--${e.name}" cannot be used together with "--${o.name}"`);
      }
    }
  }
}

function parseLimitRate(text: string): number | 'bad' | 'too-fast' {
  const secs = rateUnitSeconds(text);
  if (secs === undefined) return 'bad';
  const r = BigInt.asUintN(32, cStrtoll(text));
  if (r === 0n) return 'bad';
  const avg = BigInt(LIMIT_SCALE * secs) / r;
  return avg === 0n ? 'too-fast' : Number(avg);
}

/** HZ * CREDITS_PER_JIFFY of the kernel's xt_limit (32000 for both HZ=250 and HZ=1000). */
const HZ_CPJ = 32000;

/** xt_limit user2credits, in the kernel's 32-bit arithmetic. */
function user2credits(user: number): number {
  if (user > Math.floor(0xffffffff / HZ_CPJ)) {
    return Number(BigInt.asUintN(32, BigInt(Math.floor(user / LIMIT_SCALE)) * BigInt(HZ_CPJ)));
  }
  return Math.floor((user * HZ_CPJ) / LIMIT_SCALE);
}

export const limitMatch: MatchExtension<LimitMatch> = {
  name: 'limit',
  kinds: ['limit'],
  options: [
    { name: 'limit', arg: 'required' },
    { name: 'limit-burst', arg: 'required' },
  ],
  build(uses, ctx) {
    const limit = single(uses, 'limit');
    let avg = parseLimitRate(DEFAULT_RATE) as number;
    if (limit) {
      const r = parseLimitRate(limit.value!);
      if (r === 'bad') {
        ctx.error(
          limit.valueAt,
          `bad rate "${limit.value}" (expected a positive number, optionally followed by /second, /minute, /hour or /day)`,
        );
      }
      if (r === 'too-fast') {
        ctx.error(limit.valueAt, `Rate too fast "${limit.value}" (at most 10000/second)`);
      }
      avg = r as number;
    }
    const b = single(uses, 'limit-burst');
    const burst = b ? uintOption(b, ctx, 'limit', 0, 10000) : DEFAULT_BURST;
    return { kind: 'limit', intervalUs: avg * 100, burst };
  },
  save(m) {
    const avg = m.intervalUs / 100;
    const rate = formatRate(BigInt(avg), BigInt(LIMIT_SCALE));
    return m.burst === DEFAULT_BURST ? `--limit ${rate}` : `--limit ${rate} --limit-burst ${m.burst}`;
  },
  kernelCheck(m) {
    const avg = m.intervalUs / 100;
    const product = Number(BigInt.asUintN(32, BigInt(avg) * BigInt(m.burst)));
    if (m.burst === 0 || user2credits(product) < user2credits(avg)) {
      return `limit: rate ${formatRate(BigInt(avg), BigInt(LIMIT_SCALE))} with burst ${m.burst} overflows the kernel's credit counter (Overflow, try lower); use a lower burst or a faster rate`;
    }
    return undefined;
  },
};
