// -m limit (libxt_limit): --limit RATE[/second|/minute|/hour|/day], --limit-burst N.

import type { LimitMatch } from '../../../ir/matches/limit.js';
import { type MatchExtension, single } from '../extension.js';
import { cStrtoll } from '../numbers.js';
import { formatRate, rateUnitSeconds } from '../rates.js';
import { uintOption } from '../xtables-options.js';

/** XT_LIMIT_SCALE: xt_rateinfo.avg counts 1/10000 s. */
const LIMIT_SCALE = 10000;
const DEFAULT_BURST = 5;
const DEFAULT_RATE = '3/hour';

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
    const burst = b ? uintOption(b, ctx, 'limit', 0, 10000, 'quoted') : DEFAULT_BURST;
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
