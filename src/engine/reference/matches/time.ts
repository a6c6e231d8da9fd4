// -m time: the kernel's time_mt (net/netfilter/xt_time.c) on packet time.
//
// The kernel reads the wall clock when the rule runs (ktime_get_real_seconds(), not the skb's
// timestamp); here that is the packet's time, floored to whole seconds. nfwasm has no time
// zone: times are UTC, and --kerneltz/--localtz (XT_TIME_LOCAL_TZ) behave as UTC, i.e. as a
// kernel whose sys_tz.tz_minuteswest is 0 (the usual case: systemd resets it at boot unless the
// RTC keeps local time).

import type { TimeMatch } from '../../../ir/matches/time.js';
import type { MatchEvaluator } from '../match-evaluator.js';

const SECONDS_PER_DAY = 86400;
/** XT_TIME_ALL_MONTHDAYS: with every day allowed the kernel skips the month-day computation. */
const ALL_MONTHDAYS = 0xfffffffe;
/** localtime_3's table covers 1970..2039 (DSE_FIRST); later days count on from 2039-01-01. */
const DSE_FIRST = 2039;

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** Days from 1970-01-01 to 1 January of each year, newest first (days_since_epoch[]). */
const DAYS_SINCE_EPOCH: readonly number[] = (() => {
  const starts: number[] = [];
  let d = 0;
  for (let y = 1970; y <= DSE_FIRST; y++) {
    starts.push(d);
    d += isLeap(y) ? 366 : 365;
  }
  return starts.reverse();
})();

/** Days before the first of each month (days_since_year[] / days_since_leapyear[]). */
function monthStarts(leap: boolean): readonly number[] {
  const lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const out: number[] = [];
  let d = 0;
  for (const l of lengths) {
    out.push(d);
    d += l;
  }
  return out;
}
const MONTH_STARTS = monthStarts(false);
const MONTH_STARTS_LEAP = monthStarts(true);

/** localtime_3: day of the month (u8) for a day count since the epoch, by the kernel's tables. */
function monthDay(dse: number): number {
  let i = 0;
  let year = DSE_FIRST;
  while (DAYS_SINCE_EPOCH[i]! > dse) {
    i++;
    year--;
  }
  const w = dse - DAYS_SINCE_EPOCH[i]!;
  const starts = isLeap(year) ? MONTH_STARTS_LEAP : MONTH_STARTS;
  let m = starts.length - 1;
  while (m > 0 && starts[m]! > w) m--;
  // Past 2039 this exceeds 31; the kernel stores it in a u8.
  return (w - starts[m]! + 1) & 0xff;
}

/** `1 << n` as x86 computes it for an int shift count (count taken mod 32). */
const bit = (n: number): number => (1 << (n & 31)) >>> 0;

export const timeEvaluator: MatchEvaluator<TimeMatch> = {
  kind: 'time',
  test(m, ctx) {
    // ktime_get_real_seconds(): whole seconds, rounded down. (LOCAL_TZ: minus 0 minutes.)
    const ns = ctx.now;
    let stamp = Number(ns / 1_000_000_000n - (ns < 0n && ns % 1_000_000_000n !== 0n ? 1n : 0n));

    if (stamp < m.dateStart || stamp > m.dateStop) return false;

    // localtime_1: seconds since midnight (div_u64_rem: the stamp is taken as unsigned).
    const packetTime = Number(BigInt.asUintN(64, BigInt(stamp)) % BigInt(SECONDS_PER_DAY));
    if (m.dayTimeStart < m.dayTimeStop) {
      if (packetTime < m.dayTimeStart || packetTime > m.dayTimeStop) return false;
    } else {
      // start >= stop: the window wraps past midnight (start == stop: the whole day).
      if (packetTime < m.dayTimeStart && packetTime > m.dayTimeStop) return false;
      // --contiguous: the early-morning part belongs to the day the window opened.
      if (m.contiguous && packetTime <= m.dayTimeStop) stamp -= SECONDS_PER_DAY;
    }

    // localtime_2: days since the epoch as an unsigned int; 1970-01-01 was a Thursday (4).
    const dse = Number((BigInt.asUintN(64, BigInt(stamp)) / BigInt(SECONDS_PER_DAY)) & 0xffffffffn);
    const weekday = (((4 + dse - 1) >>> 0) % 7) + 1;
    if ((m.weekdays & bit(weekday)) === 0) return false;

    if (m.monthdays !== ALL_MONTHDAYS) {
      if ((m.monthdays & bit(monthDay(dse))) === 0) return false;
    }
    return true;
  },
};
