// Number parsing with the exact rules iptables uses, so rulesets mean the same thing here as
// there. Every reader below is one C function of glibc or libxtables:
//
// - strtoul:          glibc strtoul(text, &end, base) as is: a sign ('-' negates modulo 2^64),
//                     saturation on overflow. getaddrinfo's port numbers and libip6t_hbh use it.
// - xtStrtoul:        libxtables xtables_strtoul_base with an end pointer: strtoumax, but no '-',
//                     no overflow, within [min, max] (64-bit, bigint).
// - strtouiPrefix:    the same for ranges within 32 bits, as a number (xtables_strtoui with an
//                     end pointer).
// - parseUnsigned / parseUintInRange / parseUint64: the same over the whole text.
// - cStrtoll:         glibc strtoll base 10 (atoll), as libxt_limit and libxt_hashlimit read rates.
//
// C's isspace (the "C" locale) is the only white space they skip.

export const U32_MAX = 0xffffffff;
export const U64_MAX = (1n << 64n) - 1n;

function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function digitValue(c: number, radix: number): number {
  let d: number;
  if (c >= 0x30 && c <= 0x39) d = c - 0x30;
  else {
    const lower = c | 0x20;
    d = lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : 99;
  }
  return d < radix ? d : -1;
}

/** The digits strtoul(text + from, &end, base) reads, before any value is formed. */
interface Scan {
  readonly negative: boolean;
  readonly radix: number;
  /** The digits are text[start, end); start === end when there are none. */
  readonly start: number;
  readonly end: number;
}

function scan(text: string, from: number, base: 0 | 10 | 16, sign: boolean): Scan {
  const n = text.length;
  let i = from;
  while (i < n && isCSpace(text.charCodeAt(i))) i++;
  let negative = false;
  const s = text.charCodeAt(i);
  if (s === 0x2b /* + */ || (sign && s === 0x2d) /* - */) {
    negative = s === 0x2d;
    i++;
  }
  let radix = base === 16 ? 16 : 10;
  if (
    base !== 10 &&
    text.charCodeAt(i) === 0x30 &&
    (text.charCodeAt(i + 1) | 0x20) === 0x78 &&
    i + 2 < n &&
    digitValue(text.charCodeAt(i + 2), 16) >= 0
  ) {
    radix = 16; // 0x / 0X, when a hex digit follows (else the 0 alone is read)
    i += 2;
  } else if (base === 0 && text.charCodeAt(i) === 0x30) radix = 8; // a leading 0
  const start = i;
  while (i < n && digitValue(text.charCodeAt(i), radix) >= 0) i++;
  return { negative, radix, start, end: i };
}

/** The value of the scanned digits (exact, however many). */
function scanValue(text: string, r: Scan): bigint {
  if (r.end - r.start <= 13) return BigInt(scanNumber(text, r));
  const digits = text.slice(r.start, r.end);
  return BigInt(r.radix === 16 ? `0x${digits}` : r.radix === 8 ? `0o${digits}` : digits);
}

/** The same as a number: exact up to Number.MAX_SAFE_INTEGER, rounded above it. */
function scanNumber(text: string, r: Scan): number {
  if (r.end - r.start > 13) return Number(scanValue(text, r));
  let v = 0;
  for (let i = r.start; i < r.end; i++) v = v * r.radix + digitValue(text.charCodeAt(i), r.radix);
  return v;
}

/**
 * glibc strtoul(text, &end, base) (base 0 or 10): leading blanks, an optional sign, then hex
 * (0x), octal (leading 0) or decimal digits. `end` is the index after the number (0 when there
 * were no digits); a '-' negates modulo 2^64, an overflow saturates and sets `overflow`.
 */
export function strtoul(
  text: string,
  base: 0 | 10 = 0,
): { value: bigint; end: number; negative: boolean; overflow: boolean } {
  const r = scan(text, 0, base, true);
  if (r.end === r.start) return { value: 0n, end: 0, negative: false, overflow: false };
  let value = scanValue(text, r);
  const overflow = value > U64_MAX;
  if (overflow) value = U64_MAX;
  else if (r.negative) value = ((1n << 64n) - value) & U64_MAX;
  return { value, end: r.end, negative: r.negative, overflow };
}

/**
 * libxtables xtables_strtoul_base: glibc strtoumax(text, &end, base) with libxtables' checks
 * (leading white space, an optional '+', 0x/0 prefixes for base 0, no '-'). Returns the value
 * and the unparsed rest, or undefined when there are no digits, a '-', an overflow, or
 * [min, max] is left.
 */
export function xtStrtoul(
  text: string,
  min: bigint,
  max: bigint,
  base: 0 | 10 | 16 = 0,
): { value: bigint; rest: string } | undefined {
  const r = scan(text, 0, base, false);
  if (r.end === r.start) return undefined;
  const value = scanValue(text, r);
  if (value > U64_MAX || value < min || value > max) return undefined;
  return { value, rest: text.slice(r.end) };
}

/**
 * xtables_strtoui with an end pointer: xtStrtoul (base 0) for a range within 32 bits, as a
 * number. Returns the value and the index just after the digits, or undefined when there are
 * no digits, a '-', or the value is out of [min, max].
 */
export function strtouiPrefix(
  text: string,
  min: number,
  max: number,
): { readonly value: number; readonly end: number } | undefined {
  const r = scan(text, 0, 0, false);
  if (r.end === r.start) return undefined;
  const value = scanNumber(text, r);
  if (value < min || value > max) return undefined;
  return { value, end: r.end };
}

/** xtables_strtoul over the whole text (strtoul with base 0, 10 or 16); undefined unless all of it is one safe integer. */
export function parseUnsigned(text: string, base: 0 | 10 | 16 = 0): number | undefined {
  const r = scan(text, 0, base, false);
  if (r.end === r.start || r.end !== text.length) return undefined;
  const value = scanNumber(text, r);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** xtables_strtoui: an unsigned number within [min, max] over the whole text, or undefined. */
export function parseUintInRange(
  text: string,
  min: number,
  max: number,
  base: 0 | 10 | 16 = 0,
): number | undefined {
  const n = parseUnsigned(text, base);
  return n !== undefined && n >= min && n <= max ? n : undefined;
}

/** xtables_strtoul over the whole text, up to `max` (a 64-bit unsigned value by default). */
export function parseUint64(text: string, max: bigint = U64_MAX): bigint | undefined {
  const r = xtStrtoul(text, 0n, max);
  return r?.rest === '' ? r.value : undefined;
}

/**
 * glibc strtoll(text, NULL, 10) (atoll): leading white space, a sign, decimal digits, stopping
 * at the first other character; out-of-range values clamp to the signed 64-bit limits.
 */
export function cStrtoll(text: string): bigint {
  const r = scan(text, 0, 10, true);
  if (r.end === r.start) return 0n;
  const v = scanValue(text, r);
  const max = (1n << 63n) - 1n;
  if (r.negative) return v > max + 1n ? -max - 1n : -v;
  return v > max ? max : v;
}

/** `0x…` lowercase, as printf("0x%x") prints an unsigned 32-bit value. */
export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}
