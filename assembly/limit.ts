// -m limit's token bucket (xt_limit.c limit_mt), one 16-byte state record per rule, as
// src/engine/reference/matches/limit.ts keeps it: packet time in jiffies at HZ 1000, the bucket
// filled at the first packet the rule sees.

/** xt_limit's CREDITS_PER_JIFFY at HZ 1000: the largest power of two <= 2^32 / (HZ * 86400). */
const CREDITS_PER_JIFFY: u64 = 32;
const HZ: u64 = 1000;
/** XT_LIMIT_SCALE: avg counts 1/10000 s. */
const LIMIT_SCALE: u64 = 10000;

// Record: prev jiffies (i64), credit (u32), started (u32).
const R_PREV: usize = 0;
const R_CREDIT: usize = 8;
const R_STARTED: usize = 12;

/** user2credits: u32 arithmetic, dividing first when the product would overflow. */
function user2credits(user: u32): u32 {
  if (<u64>user > <u64>0xffffffff / (HZ * CREDITS_PER_JIFFY))
    return <u32>((<u64>user / LIMIT_SCALE) * HZ * CREDITS_PER_JIFFY);
  return <u32>((<u64>user * HZ * CREDITS_PER_JIFFY) / LIMIT_SCALE);
}

/** jiffies at packet time `ns`, rounded down (also before the epoch). */
export function jiffiesAt(ns: i64): i64 {
  const q = ns / 1_000_000;
  return ns < 0 && q * 1_000_000 !== ns ? q - 1 : q;
}

/** limit_mt for the bucket at `st` with kernel avg `avg` and burst `burst` at time `nowNs`. */
export function limitHolds(st: usize, avg: u32, burst: u32, nowNs: i64): bool {
  const now = jiffiesAt(nowNs);
  const cap = user2credits(avg * burst);
  const cost = user2credits(avg);
  if (load<u32>(st, R_STARTED) === 0) {
    store<i64>(st, now, R_PREV);
    store<u32>(st, cap, R_CREDIT);
    store<u32>(st, 1, R_STARTED);
  }
  // credit_increase and the sum are u32: a bucket idle for ~37 h wraps, as in the kernel.
  const increase = <u32>(<u64>(now - load<i64>(st, R_PREV)) * CREDITS_PER_JIFFY);
  store<i64>(st, now, R_PREV);
  let credit = load<u32>(st, R_CREDIT) + increase;
  if (credit > cap) credit = cap;
  const hit = credit >= cost;
  store<u32>(st, hit ? credit - cost : credit, R_CREDIT);
  return hit;
}
