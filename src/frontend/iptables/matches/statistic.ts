// -m statistic (libxt_statistic): --mode random|nth, [!] --probability P, [!] --every N,
// --packet P.

import type { StatisticMatch } from '../../../ir/matches/statistic.js';
import { type MatchExtension, single } from '../extension.js';
import { type FcheckEntry, optionsFcheck, uintOption } from '../xtables-options.js';

const TABLE: readonly FcheckEntry[] = [
  { name: 'mode', mand: true },
  { name: 'probability', excl: ['every', 'packet'] },
  { name: 'every', excl: ['probability'], also: ['packet'] },
  { name: 'packet', excl: ['probability'], also: ['every'] },
];

const SCALE = 0x80000000;

/** strtod over the whole text (decimal, hexadecimal, inf, nan); undefined when it is not a number. */
function parseDouble(text: string): number | undefined {
  const s = text.replace(/^[ \t\n\v\f\r]+/, '');
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?\d+))?$/.exec(s);
  if (hex && (hex[2]! + hex[3]!).length > 0) {
    const digits = hex[2]! + hex[3]!;
    const v = Number.parseInt(digits, 16) * 2 ** (Number(hex[4] ?? 0) - 4 * hex[3]!.length);
    return hex[1] === '-' ? -v : v;
  }
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan(\([0-9A-Za-z_]*\))?$/i.test(s)) return Number.NaN;
  return undefined;
}

/** lround for a non-negative value: halves round up. */
function lround(x: number): number {
  const f = Math.floor(x);
  return x - f >= 0.5 ? f + 1 : f;
}

/** printf("%.11f", threshold / 2^31), exactly as glibc rounds it (ties to even). */
export function formatProbability(threshold: number): string {
  const scaled = BigInt(threshold) * 10n ** 11n;
  const den = BigInt(SCALE);
  let q = scaled / den;
  const twice = (scaled % den) * 2n;
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  const digits = q.toString().padStart(12, '0');
  return `${digits.slice(0, -11)}.${digits.slice(-11)}`;
}

export const statisticMatch: MatchExtension<StatisticMatch> = {
  name: 'statistic',
  kinds: ['statistic'],
  options: [
    { name: 'mode', arg: 'required' },
    { name: 'probability', arg: 'required', invert: true },
    { name: 'every', arg: 'required', invert: true },
    { name: 'packet', arg: 'required' },
  ],
  build(uses, ctx, at) {
    const mode = single(uses, 'mode');
    const prob = single(uses, 'probability');
    const every = single(uses, 'every');
    const packet = single(uses, 'packet');
    if (mode && mode.value !== 'random' && mode.value !== 'nth') {
      ctx.error(mode.valueAt, `Bad mode "${mode.value}" (expected random or nth)`);
    }
    let threshold = 0;
    if (prob) {
      const p = parseDouble(prob.value!);
      if (p === undefined || p < 0 || p > 1) {
        ctx.error(
          prob.valueAt,
          `statistic: bad value for option "--probability", or out of range (0-1): \`${prob.value}'`,
        );
      }
      // lround(NaN) is LONG_MIN on x86-64, which the 32-bit field keeps as 0.
      threshold = Number.isNaN(p) ? 0 : lround(SCALE * p!);
    }
    const everyN = every ? uintOption(every, ctx, 'statistic', 1, 0xffffffff, 'quoted') : 1;
    const packetN = packet ? uintOption(packet, ctx, 'statistic', 0, 0xffffffff, 'quoted') : 0;
    // statistic_check first (mode defaults to random), then the option table's own checks.
    const isNth = mode?.value === 'nth';
    if (!isNth && !prob) ctx.error(mode?.at ?? at, '--probability must be specified when using random mode');
    if (isNth && !every && !packet) {
      ctx.error(mode!.at, '--every and --packet must be specified when using nth mode');
    }
    if (packetN > (every ? everyN - 1 : 0))
      ctx.error(packet!.valueAt, 'the --packet p must be 0 <= p <= n-1');
    optionsFcheck('statistic', TABLE, uses, ctx, at);
    const invert = uses.some((u) => u.invert);
    if (!isNth) return { kind: 'statistic', invert, mode: 'random', threshold };
    return { kind: 'statistic', invert, mode: 'nth', every: everyN, packet: packetN };
  },
  save(m) {
    const inv = m.invert ? ' !' : '';
    if (m.mode === 'random') return `--mode random${inv} --probability ${formatProbability(m.threshold)}`;
    return `--mode nth${inv} --every ${m.every} --packet ${m.packet}`;
  },
};
