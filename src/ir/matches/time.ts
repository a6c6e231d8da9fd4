// time: matches by the packet's arrival time (kernel xt_time, struct xt_time_info). The kernel
// uses the time the packet was received (or the current time), in UTC unless `localTime`.

export interface TimeMatch {
  readonly kind: 'time';
  /** Time-of-day window in seconds after midnight (0-86399), both ends inclusive. */
  readonly dayTimeStart: number;
  readonly dayTimeStop: number;
  /**
   * With start > stop the window wraps past midnight. With `contiguous`, a window that wraps
   * is one interval, so the weekday/monthday tests apply to the day it started on.
   */
  readonly contiguous: boolean;
  /** Bit i set: matches on ISO weekday i (1 = Monday ... 7 = Sunday). All: 0xfe. */
  readonly weekdays: number;
  /** Bit i set: matches on day i of the month (1-31). All: 0xfffffffe. */
  readonly monthdays: number;
  /** Matches from this time on (seconds since the Unix epoch, UTC; 0 = no lower bound). */
  readonly dateStart: number;
  /** Matches up to this time (seconds since the epoch; the default is 2^31 - 1). */
  readonly dateStop: number;
  /** Use the kernel's timezone (sys_tz) instead of UTC for day, weekday and time of day. */
  readonly localTime: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    time: TimeMatch;
  }
}
