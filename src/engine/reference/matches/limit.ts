// -m limit: the kernel's xt_limit token bucket (net/netfilter/xt_limit.c), one per rule.
//
// Time is packet time in jiffies with HZ = 1000: jiffies = floor(now_ns / 1_000_000). Linux
// builds with HZ 100, 250, 300 or 1000 (Debian and Ubuntu generic kernels: 250); HZ * CREDITS_
// PER_JIFFY is 32000 for 250 and 1000 alike, so only the refill granularity (1 ms vs 4 ms)
// depends on it. The bucket state lives on the rule (ctx.ruleState), as the kernel keeps it in
// the rule's xt_limit_priv, and starts full at the first packet the rule sees (the kernel fills
// it at load; a full bucket stays full, so only the idle-wrap below can tell the two apart).

import type { LimitMatch } from '../../../ir/matches/limit.js';
import type { MatchEvaluator } from '../match-evaluator.js';

/** Kernel tick rate assumed by the rate matches (limit, hashlimit, recent). */
export const HZ = 1000n;

/** `jiffies` at packet time `nowNs` (floor, also for times before the epoch). */
export function jiffiesAt(nowNs: bigint): bigint {
  const scaled = nowNs * HZ;
  const q = scaled / 1_000_000_000n;
  return scaled < 0n && q * 1_000_000_000n !== scaled ? q - 1n : q;
}

/** POW2_BELOW32/POW2_BELOW64 of the kernel: the largest power of two <= x (x > 0). */
export function pow2Below(x: bigint): bigint {
  let p = 1n;
  while (p * 2n <= x) p *= 2n;
  return p;
}

/** xt_limit's CREDITS_PER_JIFFY: credits fit 32 bits for one packet a day. */
const CREDITS_PER_JIFFY = pow2Below(0xffffffffn / (HZ * 60n * 60n * 24n));
/** XT_LIMIT_SCALE: xt_rateinfo.avg counts 1/10000 s. */
const LIMIT_SCALE = 10000n;

const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);

/** user2credits (xt_limit.c): u32 arithmetic, dividing first when the product would overflow. */
function user2credits(user: bigint): bigint {
  if (user > 0xffffffffn / (HZ * CREDITS_PER_JIFFY)) {
    return u32((user / LIMIT_SCALE) * HZ * CREDITS_PER_JIFFY);
  }
  return (user * HZ * CREDITS_PER_JIFFY) / LIMIT_SCALE;
}

interface LimitState {
  /** priv->prev: jiffies of the last packet seen (matched or not). */
  prev: bigint;
  /** priv->credit (u32). */
  credit: bigint;
  readonly creditCap: bigint;
  readonly cost: bigint;
}

/** limit_mt_check: the IR keeps avg as microseconds (avg * 100), burst as given. */
function initialState(m: LimitMatch, now: bigint): LimitState {
  const avg = BigInt(m.intervalUs / 100);
  const full = user2credits(u32(avg * BigInt(m.burst)));
  return { prev: now, credit: full, creditCap: full, cost: user2credits(avg) };
}

export const limitEvaluator: MatchEvaluator<LimitMatch> = {
  kind: 'limit',
  test(m, ctx, rule) {
    const now = jiffiesAt(ctx.now);
    const s = ctx.ruleState(rule, m, () => initialState(m, now));
    // limit_mt: credit_increase is u32 (the elapsed jiffies' product is truncated), and so is
    // the sum: after 2^32 / CREDITS_PER_JIFFY jiffies idle (~37 h at HZ 1000) it wraps.
    const increase = u32(BigInt.asUintN(64, now - s.prev) * CREDITS_PER_JIFFY);
    s.prev = now;
    let credit = u32(s.credit + increase);
    if (credit > s.creditCap) credit = s.creditCap;
    const hit = credit >= s.cost;
    s.credit = hit ? credit - s.cost : credit;
    return hit;
  },
};
