// -m time (libxt_time): --datestart/--datestop, --timestart/--timestop, --contiguous,
// [!] --weekdays, [!] --monthdays, --kerneltz/--localtz/--utc. (The obsolete --days of old
// iptables versions is an unknown option, as in iptables 1.8.)

import type { TimeMatch } from '../../../ir/matches/time.js';
import type { MatchExtension, OptionUse, ParseContext } from '../extension.js';
import { type FcheckEntry, optionsFcheck } from '../xtables-options.js';

const ALL_WEEKDAYS = 0xfe;
const ALL_MONTHDAYS = 0xfffffffe;
const MAX_DAYTIME = 24 * 60 * 60 - 1;
const INT_MAX = 0x7fffffff;
const WEEK_DAYS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const TABLE: readonly FcheckEntry[] = [
  { name: 'datestart' },
  { name: 'datestop' },
  { name: 'timestart' },
  { name: 'timestop' },
  { name: 'contiguous' },
  { name: 'weekdays' },
  { name: 'monthdays' },
  { name: 'localtz', excl: ['utc'] },
  { name: 'utc', excl: ['localtz', 'kerneltz'] },
  { name: 'kerneltz', excl: ['utc'] },
];

/** strtoul(s, &e, 10): the number and the rest of the text. */
function strtoul10(s: string): [number, string] {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)/.exec(s)!;
  if (m[2] === '') return [0, s];
  let n = Number(m[2]);
  if (m[1] === '-') n = 2 ** 64 - n; // wraps, so it fails every range check
  return [n, s.slice(m[0].length)];
}

function parseDate(use: OptionUse, ctx: ParseContext): number {
  const text = use.value!;
  const bad = (): never =>
    ctx.error(use.valueAt, `Invalid date "${text}" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]`);
  // Each field: [separator after it, upper bound].
  const fields: [string, number][] = [
    ['-', 2038],
    ['-', 12],
    ['T', 31],
    [':', 23],
    [':', 59],
    ['', 59],
  ];
  const vals = [0, 1, 1, 0, 0, 0];
  let rest = text;
  for (let i = 0; i < fields.length; i++) {
    const [n, after] = strtoul10(rest);
    const [sep, max] = fields[i]!;
    if ((after !== '' && (sep === '' || after[0] !== sep)) || n > max || (i === 0 && n < 1970)) bad();
    vals[i] = n;
    if (after === '') break;
    rest = after.slice(1);
  }
  const [y, mo, d, h, mi, s] = vals as [number, number, number, number, number, number];
  // mktime in UTC, which normalises out-of-range days and months as Date.UTC does.
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

function parseDayTime(use: OptionUse, ctx: ParseContext): number {
  const bad = (): never =>
    ctx.error(
      use.valueAt,
      `invalid time "${use.value}" specified, should be hh:mm[:ss] format and within the boundaries`,
    );
  const [h, r1] = strtoul10(use.value!);
  if (r1[0] !== ':' || h > 23) bad();
  const [m, r2] = strtoul10(r1.slice(1));
  if ((r2 !== '' && r2[0] !== ':') || m > 59) bad();
  let s = 0;
  if (r2 !== '') {
    const [sec, r3] = strtoul10(r2.slice(1));
    if (r3 !== '' || sec > 59) bad();
    s = sec;
  }
  return h * 3600 + m * 60 + s;
}

/** my_strseg: comma-separated pieces, each cut to `width` characters. */
function segments(text: string, width: number): string[] {
  const out: string[] = [];
  let rest: string | undefined = text;
  while (rest !== undefined && rest !== '') {
    const comma = rest.indexOf(',');
    if (comma < 0) {
      out.push(rest.slice(0, width));
      rest = undefined;
    } else {
      out.push(rest.slice(0, comma).slice(0, width));
      rest = rest.slice(comma + 1);
    }
  }
  return out;
}

/** strtoul(text, &end, 0): the value and whether all of `text` was consumed. */
function strtoul0(text: string): [number, string] {
  const m = /^[ \t\n\v\f\r]*[+]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (!m) return [0, text];
  const d = m[1]!;
  const n = /^0[xX]/.test(d)
    ? Number.parseInt(d.slice(2), 16)
    : d.length > 1 && d[0] === '0'
      ? Number.parseInt(d.slice(1), 8)
      : Number(d);
  return [n, text.slice(m[0].length)];
}

function parseMonthdays(use: OptionUse, ctx: ParseContext): number {
  let mask = 0;
  for (const day of segments(use.value!, 2)) {
    const [n, rest] = strtoul0(day);
    if (rest !== '' || n > 31)
      ctx.error(use.valueAt, `${day} is not a valid day for --monthdays (expected 1-31)`);
    mask |= 1 << n;
  }
  return mask >>> 0;
}

function parseWeekdays(use: OptionUse, ctx: ParseContext): number {
  let mask = 0;
  for (const day of segments(use.value!, 3)) {
    const [n, rest] = strtoul0(day);
    if (rest === '') {
      if (n === 0)
        ctx.error(use.valueAt, 'No, the week does NOT begin with Sunday. (weekdays are 1 = Mon ... 7 = Sun)');
      mask |= 1 << n;
      continue;
    }
    let valid = false;
    for (let i = 1; i <= 7; i++) {
      if (day.slice(0, 2) === WEEK_DAYS[i]!.slice(0, 2)) {
        mask |= 1 << i;
        valid = true;
      }
    }
    if (!valid) {
      ctx.error(
        use.valueAt,
        `${day} is not a valid day specifier (expected Mon, Tue, Wed, Thu, Fri, Sat, Sun or 1-7)`,
      );
    }
  }
  return mask >>> 0;
}

function formatDayTime(t: number): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(t / 3600))}:${p(Math.floor(t / 60) % 60)}:${p(t % 60)}`;
}

function formatDate(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 19);
}

export const timeMatch: MatchExtension<TimeMatch> = {
  name: 'time',
  kinds: ['time'],
  options: [
    { name: 'datestart', arg: 'required' },
    { name: 'datestop', arg: 'required' },
    { name: 'timestart', arg: 'required' },
    { name: 'timestop', arg: 'required' },
    { name: 'contiguous', arg: 'none' },
    { name: 'weekdays', arg: 'required', invert: true },
    { name: 'monthdays', arg: 'required', invert: true },
    { name: 'localtz', arg: 'none' },
    { name: 'utc', arg: 'none' },
    { name: 'kerneltz', arg: 'none' },
  ],
  build(uses, ctx, at) {
    const m: {
      -readonly [K in keyof TimeMatch]: TimeMatch[K];
    } = {
      kind: 'time',
      dayTimeStart: 0,
      dayTimeStop: MAX_DAYTIME,
      contiguous: false,
      weekdays: ALL_WEEKDAYS,
      monthdays: ALL_MONTHDAYS,
      dateStart: 0,
      dateStop: INT_MAX,
      localTime: false,
    };
    for (const u of uses) {
      switch (u.name) {
        case 'datestart':
          m.dateStart = parseDate(u, ctx);
          break;
        case 'datestop':
          m.dateStop = parseDate(u, ctx);
          break;
        case 'timestart':
          m.dayTimeStart = parseDayTime(u, ctx);
          break;
        case 'timestop':
          m.dayTimeStop = parseDayTime(u, ctx);
          break;
        case 'contiguous':
          m.contiguous = true;
          break;
        case 'localtz':
        case 'kerneltz':
          m.localTime = true;
          break;
        case 'monthdays':
          m.monthdays = (parseMonthdays(u, ctx) ^ (u.invert ? ALL_MONTHDAYS : 0)) >>> 0;
          break;
        case 'weekdays':
          m.weekdays = (parseWeekdays(u, ctx) ^ (u.invert ? ALL_WEEKDAYS : 0)) >>> 0;
          break;
      }
    }
    const contiguous = uses.find((u) => u.name === 'contiguous');
    if (contiguous && m.dayTimeStart < m.dayTimeStop) {
      ctx.error(contiguous.at, 'time: --contiguous only makes sense when stoptime is smaller than starttime');
    }
    optionsFcheck('time', TABLE, uses, ctx, at);
    return m;
  },
  save(m) {
    let out = '';
    if (m.dayTimeStart !== 0 || m.dayTimeStop !== MAX_DAYTIME) {
      out += ` --timestart ${formatDayTime(m.dayTimeStart)} --timestop ${formatDayTime(m.dayTimeStop)}`;
    }
    if (m.monthdays !== ALL_MONTHDAYS) {
      const days: number[] = [];
      for (let i = 1; i <= 31; i++) if ((m.monthdays >>> i) & 1) days.push(i);
      out += ` --monthdays ${days.join(',')}`;
    }
    if (m.weekdays !== ALL_WEEKDAYS) {
      const days: string[] = [];
      for (let i = 1; i <= 7; i++) if ((m.weekdays >>> i) & 1) days.push(WEEK_DAYS[i]!);
      out += ` --weekdays ${days.join(',')}`;
    }
    // iptables skips the defaults 0 and LONG_MAX, so the 32-bit default stop date is printed.
    if (m.dateStart !== 0) out += ` --datestart ${formatDate(m.dateStart)}`;
    if (m.dateStop !== 0) out += ` --datestop ${formatDate(m.dateStop)}`;
    if (m.localTime) out += ' --kerneltz';
    if (m.contiguous) out += ' --contiguous';
    return out.slice(1);
  },
};
