// -m hashlimit (libxt_hashlimit revision 3): [!] --hashlimit-upto/--hashlimit-above RATE (also
// the old --hashlimit), --hashlimit-burst, --hashlimit-mode, --hashlimit-srcmask/-dstmask,
// --hashlimit-name, --hashlimit-htable-size/-max/-gcinterval/-expire, --hashlimit-rate-match,
// --hashlimit-rate-interval.

import type { HashlimitKeyField, HashlimitMatch } from '../../../ir/matches/hashlimit.js';
import { plenOrMask } from '../addresses.js';
import type { MatchExtension, OptionUse, ParseContext } from '../extension.js';
import { cStrtoll } from '../numbers.js';
import { formatRate, rateUnitSeconds } from '../rates.js';
import { type FcheckEntry, optionsFcheck, truncateBytes, uintOption } from '../xtables-options.js';

const SCALE = 1000000n; // XT_HASHLIMIT_SCALE_v2
const BURST_MAX = 1000000; // XT_HASHLIMIT_BURST_MAX
const DEFAULT_BURST = 5;
const GC_INTERVAL = 1000;
const BYTE_EXPIRE = 15; // seconds
const BYTE_EXPIRE_BURST = 60;
const NAME_SIZE = 255; // NAME_MAX, including the NUL
const U32_MAX = 0xffffffffn;
const KEY_ORDER: readonly HashlimitKeyField[] = ['srcip', 'srcport', 'dstip', 'dstport'];
/** HZ * CREDITS_PER_JIFFY / XT_HASHLIMIT_SCALE_v2 for the 64-bit bucket (HZ 250 or 1000). */
const CREDIT_FACTOR = 137438953n;

const TABLE: readonly FcheckEntry[] = [
  { name: 'hashlimit-upto', excl: ['hashlimit-above'] },
  { name: 'hashlimit-above', excl: ['hashlimit-upto'] },
  { name: 'hashlimit-srcmask' },
  { name: 'hashlimit-dstmask' },
  { name: 'hashlimit-burst' },
  { name: 'hashlimit-htable-size' },
  { name: 'hashlimit-htable-max' },
  { name: 'hashlimit-htable-gcinterval' },
  { name: 'hashlimit-htable-expire' },
  { name: 'hashlimit-mode' },
  { name: 'hashlimit-name', mand: true },
  { name: 'hashlimit-rate-match' },
  { name: 'hashlimit-rate-interval' },
];

const costToBytes = (cost: bigint): bigint => ((cost ? U32_MAX / cost : U32_MAX) - 1n) << 4n;
const bytesToCost = (bytes: bigint): bigint => U32_MAX / (BigInt.asUintN(32, bytes >> 4n) + 1n);
const factorOf = (c: string | undefined): bigint => (c === 'm' ? 1048576n : c === 'k' ? 1024n : 1n);

const badValue = (ctx: ParseContext, use: OptionUse): never =>
  ctx.error(use.valueAt, `hashlimit: Bad value for "--${use.name}" option: "${use.value}"`);

/** parse_bytes: `N[k|m]b/s`; undefined when the text is no byte rate. */
function parseBytes(use: OptionUse, ctx: ParseContext): bigint | undefined {
  const text = use.value!;
  const at = text.indexOf('b/s');
  if (at <= 0) return undefined;
  const r = BigInt.asUintN(64, cStrtoll(text));
  if (r === 0n) return undefined;
  const total = r * factorOf(text[at - 1]);
  if (total > 0xffffffffffffffffn)
    ctx.error(use.valueAt, `Rate value too large "${total}" (max 18446744073709551615)`);
  const cost = bytesToCost(total);
  if (cost === 0n) ctx.error(use.valueAt, `Rate too high "${text}"`);
  return cost;
}

function parsePlen(use: OptionUse, ctx: ParseContext): number {
  const len = plenOrMask(ctx.family, use.value!);
  if (len === undefined || len === null) {
    ctx.error(
      use.valueAt,
      `hashlimit: bad value for option "--${use.name}", neither a valid network mask nor valid CIDR (0-${ctx.family === 'ipv4' ? 32 : 128}): \`${use.value}'`,
    );
  }
  return len!;
}

function formatBytes(cost: bigint, burst: bigint): string {
  const units: [string, bigint][] = [
    ['m', 1048576n],
    ['k', 1024n],
    ['', 1n],
  ];
  let r = costToBytes(cost);
  let i = 0;
  for (; i < units.length - 1; i++) {
    const t = units[i]![1];
    if (r >= t && bytesToCost(r & ~(t - 1n)) === cost) break;
  }
  let out = `${r / units[i]![1]}${units[i]![0]}b/s`;
  if (burst === 0n) return out;
  r *= burst;
  for (i = 0; i < units.length - 1; i++) if (r >= units[i]![1]) break;
  out += ` --hashlimit-burst ${r / units[i]![1]}${units[i]![0]}b`;
  return out;
}

export const hashlimitMatch: MatchExtension<HashlimitMatch> = {
  name: 'hashlimit',
  kinds: ['hashlimit'],
  options: [
    { name: 'hashlimit-upto', aliases: ['hashlimit'], arg: 'required', invert: true },
    { name: 'hashlimit-above', arg: 'required', invert: true },
    { name: 'hashlimit-srcmask', arg: 'required' },
    { name: 'hashlimit-dstmask', arg: 'required' },
    { name: 'hashlimit-burst', arg: 'required' },
    { name: 'hashlimit-htable-size', arg: 'required' },
    { name: 'hashlimit-htable-max', arg: 'required' },
    { name: 'hashlimit-htable-gcinterval', arg: 'required' },
    { name: 'hashlimit-htable-expire', arg: 'required' },
    { name: 'hashlimit-mode', arg: 'required' },
    { name: 'hashlimit-name', arg: 'required' },
    { name: 'hashlimit-rate-match', arg: 'none' },
    { name: 'hashlimit-rate-interval', arg: 'required' },
  ],
  build(uses, ctx, at) {
    const full = ctx.family === 'ipv4' ? 32 : 128;
    let above = false;
    let bytes = false;
    let avg = 0n;
    let mult = 1n;
    let burst = BigInt(DEFAULT_BURST);
    let key = new Set<HashlimitKeyField>();
    let srcPrefixLen = full;
    let dstPrefixLen = full;
    let name = '';
    let htableSize = 0;
    let htableMax = 0;
    let gcIntervalMs = GC_INTERVAL;
    let expireMs: number | undefined;
    let rateMatch = false;
    let interval = 0;
    let burstUse: OptionUse | undefined;
    for (const u of uses) {
      switch (u.name) {
        case 'hashlimit-upto':
        case 'hashlimit-above': {
          above = (u.name === 'hashlimit-above') !== u.invert;
          const cost = parseBytes(u, ctx);
          if (cost !== undefined) {
            bytes = true;
            avg = cost;
            mult = BigInt(BYTE_EXPIRE);
            break;
          }
          const secs = rateUnitSeconds(u.value!);
          const r = BigInt.asUintN(64, cStrtoll(u.value!));
          if (secs === undefined || r === 0n) badValue(ctx, u);
          mult = BigInt(secs!);
          avg = (SCALE * mult) / r;
          if (avg === 0n) ctx.error(u.valueAt, `Rate too fast "${u.value}" (at most 1000000/second)`);
          break;
        }
        case 'hashlimit-burst': {
          burstUse = u;
          const m = /^[ \t\n\v\f\r]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(.*)$/s.exec(u.value!);
          const v = m ? BigInt(/^0[0-7]/.test(m[1]!) ? `0o${m[1]!.slice(1)}` : m[1]!) : 0n;
          if (!m || v < 1n || (m[2] === '' && v > BigInt(BURST_MAX))) {
            ctx.error(
              u.valueAt,
              `bad value for option "--hashlimit-burst", or out of range (1-${BURST_MAX}): \`${u.value}'`,
            );
          }
          burst = v * factorOf(m![2]![0]);
          if (burst > 0xffffffffffffffffn) {
            ctx.error(u.valueAt, `bad value for option "--hashlimit-burst", value "${u.value}" too large`);
          }
          break;
        }
        case 'hashlimit-mode':
          for (const tok of u.value!.split(/[,|]/)) {
            if (tok === '') continue;
            if (!(KEY_ORDER as readonly string[]).includes(tok)) badValue(ctx, u);
            key.add(tok as HashlimitKeyField);
          }
          break;
        case 'hashlimit-srcmask':
          srcPrefixLen = parsePlen(u, ctx);
          break;
        case 'hashlimit-dstmask':
          dstPrefixLen = parsePlen(u, ctx);
          break;
        case 'hashlimit-name': {
          if (u.value === '')
            ctx.error(
              u.valueAt,
              'hashlimit: the --hashlimit-name argument must have a minimum length of 1 characters',
            );
          name = truncateBytes(u.value!, NAME_SIZE);
          break;
        }
        case 'hashlimit-htable-size':
          htableSize = uintOption(u, ctx, 'hashlimit', 0, 0xffffffff, 'quoted');
          break;
        case 'hashlimit-htable-max':
          htableMax = uintOption(u, ctx, 'hashlimit', 0, 0xffffffff, 'quoted');
          break;
        case 'hashlimit-htable-gcinterval':
          gcIntervalMs = uintOption(u, ctx, 'hashlimit', 0, 0xffffffff, 'quoted');
          break;
        case 'hashlimit-htable-expire':
          expireMs = uintOption(u, ctx, 'hashlimit', 0, 0xffffffff, 'quoted');
          break;
        case 'hashlimit-rate-match':
          rateMatch = true;
          break;
        case 'hashlimit-rate-interval': {
          const n = cStrtoll(u.value!);
          const i32 = Number(BigInt.asIntN(32, n));
          if (i32 <= 0) badValue(ctx, u);
          interval = i32;
          break;
        }
      }
    }
    // hashlimit_mt_check, then the option table's checks.
    const rateUse = uses.find((u) => u.name === 'hashlimit-upto' || u.name === 'hashlimit-above');
    if (!rateUse) ctx.error(at, 'You have to specify --hashlimit (--hashlimit-upto or --hashlimit-above)');
    let expire = expireMs ?? Number(mult * 1000n);
    if (bytes) {
      let count = 0n;
      if (burstUse) {
        const unit = costToBytes(avg);
        if (burst < unit) ctx.error(burstUse.valueAt, `burst cannot be smaller than ${unit}b`);
        count = burst / unit + (burst % unit ? 1n : 0n);
        if (expireMs === undefined) expire = BYTE_EXPIRE_BURST * 1000;
      }
      burst = BigInt.asUintN(32, count);
    } else if (burst > BigInt(BURST_MAX)) {
      ctx.error(
        burstUse!.valueAt,
        `bad value for option "--hashlimit-burst", or out of range (1-${BURST_MAX}): \`${burstUse!.value}'`,
      );
    }
    if (rateMatch) {
      if (!bytes) avg /= mult;
      if (interval === 0) interval = bytes ? 1 : Number(mult);
    }
    optionsFcheck('hashlimit', TABLE, uses, ctx, at);
    key = new Set(KEY_ORDER.filter((k) => key.has(k)));
    const m: HashlimitMatch = {
      kind: 'hashlimit',
      above,
      rate: bytes
        ? { unit: 'bytes', cost: Number(avg), burst: Number(burst) }
        : { unit: 'packets', intervalUs: Number(avg), burst: Number(burst) },
      key: [...key],
      srcPrefixLen,
      dstPrefixLen,
      name,
      htableSize,
      htableMax,
      gcIntervalMs,
      expireMs: expire,
      ...(rateMatch ? { rateMatch: { intervalS: interval } } : {}),
    };
    return m;
  },
  save(m, family) {
    const full = family === 'ipv4' ? 32 : 128;
    let out = m.above ? '--hashlimit-above' : '--hashlimit-upto';
    let quantum: number;
    if (m.rate.unit === 'bytes') {
      out += ` ${formatBytes(BigInt(m.rate.cost), BigInt(m.rate.burst))}`;
      quantum = (m.rate.burst === 0 ? BYTE_EXPIRE : BYTE_EXPIRE_BURST) * 1000;
    } else {
      const rate = formatRate(BigInt(m.rate.intervalUs), SCALE);
      out += ` ${rate} --hashlimit-burst ${m.rate.burst}`;
      const unit = rate.slice(rate.indexOf('/') + 1);
      quantum = { sec: 1, min: 60, hour: 3600, day: 86400 }[unit as 'sec']! * 1000;
    }
    if (m.key.length > 0) out += ` --hashlimit-mode ${m.key.join(',')}`;
    out += ` --hashlimit-name ${m.name}`;
    if (m.htableSize !== 0) out += ` --hashlimit-htable-size ${m.htableSize}`;
    if (m.htableMax !== 0) out += ` --hashlimit-htable-max ${m.htableMax}`;
    if (m.gcIntervalMs !== GC_INTERVAL) out += ` --hashlimit-htable-gcinterval ${m.gcIntervalMs}`;
    if (m.expireMs !== quantum) out += ` --hashlimit-htable-expire ${m.expireMs}`;
    if (m.srcPrefixLen !== full) out += ` --hashlimit-srcmask ${m.srcPrefixLen}`;
    if (m.dstPrefixLen !== full) out += ` --hashlimit-dstmask ${m.dstPrefixLen}`;
    if (m.rateMatch) {
      out += ' --hashlimit-rate-match';
      if (m.rateMatch.intervalS !== 1) out += ` --hashlimit-rate-interval ${m.rateMatch.intervalS}`;
    }
    return out;
  },
  kernelCheck(m) {
    if (m.gcIntervalMs === 0) return 'hashlimit: --hashlimit-htable-gcinterval must not be 0';
    if (m.expireMs === 0) return 'hashlimit: --hashlimit-htable-expire must not be 0';
    if (m.name.includes('/') || m.name === '.' || m.name === '..') {
      return `hashlimit: "${m.name}" cannot be a table name (it names a file in /proc/net/ipt_hashlimit)`;
    }
    if (m.rate.unit === 'packets') {
      const avg = BigInt(m.rate.intervalUs);
      const credits = (u: bigint) => BigInt.asUintN(64, u * CREDIT_FACTOR);
      if (m.rate.burst === 0 || credits(BigInt.asUintN(64, avg * BigInt(m.rate.burst))) < credits(avg)) {
        return `hashlimit: rate ${formatRate(avg, SCALE)} with burst ${m.rate.burst} overflows the kernel's credit counter (Overflow, try lower); use a lower burst or a faster rate`;
      }
    }
    return undefined;
  },
};
