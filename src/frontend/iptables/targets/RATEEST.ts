// -j RATEEST --rateest-name NAME --rateest-interval TIME --rateest-ewmalog TIME (libxt_RATEEST).
// TIME is a number with an optional unit (s/sec/secs, ms/msec/msecs, us/usec/usecs; none means
// microseconds). iptables turns both into the kernel's log2 codes and prints them back from the
// codes, so `0.5s` prints as `500.0ms`.

import type { RateestTarget } from '../../../ir/targets/RATEEST.js';
import type { OptionUse, ParseContext, TargetExtension } from '../extension.js';
import { truncateBytes } from '../xtables-options.js';

const UNITS_PER_SEC = 1_000_000;
const UNIT_SCALE: Readonly<Record<string, number>> = {
  s: UNITS_PER_SEC,
  sec: UNITS_PER_SEC,
  secs: UNITS_PER_SEC,
  ms: 1000,
  msec: 1000,
  msecs: 1000,
  us: 1,
  usec: 1,
  usecs: 1,
};

/** RATEEST_get_time: strtod, an optional unit, then truncation to an unsigned int. */
function parseTime(use: OptionUse, ctx: ParseContext, what: string): number {
  const text = use.value!;
  const m = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text);
  const unit = m ? text.slice(m[0].length).toLowerCase() : '';
  const scale = unit === '' ? 1 : Object.hasOwn(UNIT_SCALE, unit) ? UNIT_SCALE[unit] : undefined;
  if (!m || scale === undefined) {
    ctx.error(use.valueAt, `RATEEST: bad ${what} value "${text}" (expected a time such as 250ms or 1s)`);
  }
  // `*time = t`: on x86-64 the double goes through a 64-bit integer, keeping the low 32 bits.
  const t = BigInt(Math.trunc(Number(m![0]) * scale!));
  return Number(BigInt.asUintN(32, t));
}

/** printf("%.1f") of a double: round half to even on exact ties, as glibc does. */
function fixed1(d: number): string {
  const scaled = d * 10;
  if (Number.isInteger(d * 4) && Math.abs(scaled % 1) === 0.5) {
    const lo = Math.floor(scaled);
    return ((lo % 2 === 0 ? lo : lo + 1) / 10).toFixed(1);
  }
  return d.toFixed(1);
}

/** RATEEST_print_time. */
function formatTime(units: number): string {
  if (units >= UNITS_PER_SEC) return `${fixed1(units / UNITS_PER_SEC)}s`;
  if (units >= UNITS_PER_SEC / 1000) return `${fixed1(units / (UNITS_PER_SEC / 1000))}ms`;
  return `${units}us`;
}

export const rateestTarget: TargetExtension<RateestTarget> = {
  name: 'RATEEST',
  kinds: ['RATEEST'],
  options: [
    { name: 'rateest-name', arg: 'required' },
    { name: 'rateest-interval', arg: 'required' },
    { name: 'rateest-ewmalog', arg: 'required' },
  ],
  build(uses, ctx, at) {
    const get = (n: string) => uses.find((u) => u.name === n);
    const nameUse = get('rateest-name');
    const intUse = get('rateest-interval');
    const ewmaUse = get('rateest-ewmalog');
    const interval = intUse ? parseTime(intUse, ctx, 'interval') : 0;
    const ewma = ewmaUse ? parseTime(ewmaUse, ctx, 'ewmalog') : 0;
    for (const [u, n] of [
      [nameUse, 'rateest-name'],
      [intUse, 'rateest-interval'],
      [ewmaUse, 'rateest-ewmalog'],
    ] as const) {
      if (!u) ctx.error(at, `RATEEST: option "--${n}" must be specified`);
    }
    // RATEEST_final_check: the smallest 2^i quarter-seconds (i = 0..5) covering the interval.
    let i = 0;
    while (i <= 5 && interval > (1 << i) * (UNITS_PER_SEC / 4)) i++;
    if (i > 5) ctx.error(intUse!.valueAt, 'RATEEST: interval value is too large (at most 8s)');
    let e = 1;
    for (; e < 32; e++) {
      const w = 1.0 - 1.0 / 2 ** e;
      if (interval / -Math.log(w) > ewma) break;
    }
    e--;
    if (e === 0 || e >= 31) ctx.error(ewmaUse!.valueAt, 'RATEEST: ewmalog value is out of range');
    return { kind: 'RATEEST', name: truncateBytes(nameUse!.value!, 16), interval: i - 2, ewmaLog: e };
  },
  save(t) {
    const interval = (UNITS_PER_SEC * 2 ** (t.interval + 2)) / 4;
    const ewma = (interval * 2 ** t.ewmaLog) % 2 ** 32;
    return `--rateest-name ${t.name} --rateest-interval ${formatTime(interval)} --rateest-ewmalog ${formatTime(ewma)}`;
  },
};
