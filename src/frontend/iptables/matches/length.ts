// -m length --length MIN[:MAX] (libxt_length). Also home of the libxtables number-option
// helpers (xtopt_parse_int / xtopt_parse_mint semantics) the header matches share.

import type { LengthMatch } from '../../../ir/matches/length.js';
import type { MatchExtension, OptionUse, ParseContext } from '../extension.js';

const SPACE = /^[ \t\n\v\f\r]*/;

/**
 * glibc strtoul(text, &end, base) (base 0 or 10) on a prefix of the text: leading blanks, an optional sign, then
 * hex (0x), octal (leading 0) or decimal digits. `end` is the index after the number (0 when there
 * were no digits); a '-' negates modulo 2^64, an overflow saturates and sets `overflow`.
 */
export function strtoul(
  text: string,
  base: 0 | 10 = 0,
): {
  value: bigint;
  end: number;
  negative: boolean;
  overflow: boolean;
} {
  let i = SPACE.exec(text)![0].length;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  let radix = 10;
  if (base === 10) {
    // decimal digits only
  } else if (
    text[i] === '0' &&
    (text[i + 1] === 'x' || text[i + 1] === 'X') &&
    /[0-9a-fA-F]/.test(text[i + 2] ?? '')
  ) {
    radix = 16;
    i += 2;
  } else if (text[i] === '0') radix = 8;
  const digit = radix === 16 ? /[0-9a-fA-F]/ : radix === 8 ? /[0-7]/ : /[0-9]/;
  const start = i;
  while (i < text.length && digit.test(text[i]!)) i++;
  if (i === start) return { value: 0n, end: 0, negative: false, overflow: false };
  const max = (1n << 64n) - 1n;
  let value = BigInt(
    radix === 16
      ? `0x${text.slice(start, i)}`
      : radix === 8
        ? `0o${text.slice(start, i)}`
        : text.slice(start, i),
  );
  const overflow = value > max;
  if (overflow) value = max;
  else if (negative) value = ((1n << 64n) - value) & max;
  return { value, end: i, negative, overflow };
}

/**
 * xtables_strtoul with an end pointer: an unsigned number within [min, max] at the start of the
 * text (no '-'), and the rest of the text after it; undefined when there is none.
 */
export function leadingUint(
  text: string,
  min: number,
  max: number,
): { value: number; rest: string } | undefined {
  const lead = SPACE.exec(text)![0].length;
  if (text[lead] === '-') return undefined;
  const r = strtoul(text);
  if (r.end === 0 || r.overflow || r.value < BigInt(min) || r.value > BigInt(max)) return undefined;
  return { value: Number(r.value), rest: text.slice(r.end) };
}

/** xtopt_parse_int: the whole value is one number within [min, max]. */
export function xtUint(use: OptionUse, ctx: ParseContext, ext: string, min: number, max: number): number {
  const r = leadingUint(use.value!, min, max);
  if (r?.rest !== '') {
    ctx.error(use.valueAt, `${ext}: bad value for option "--${use.name}", or out of range (${min}-${max}).`);
  }
  return r!.value;
}

/**
 * xtopt_parse_mint for the *RC types: `a`, `a:b`, `:b` (from 0), `a:` (to max), with empty parts
 * defaulting; returns the one or two values given.
 */
export function xtUintRange(use: OptionUse, ctx: ParseContext, ext: string, max: number): number[] {
  const values: number[] = [];
  let arg = use.value!;
  for (;;) {
    if (values.length === 2) {
      ctx.error(use.valueAt, `${ext}: Too many components for option "--${use.name}" (max: 2)`);
    }
    let value: number;
    let rest: string;
    if (arg === '' || arg[0] === ':') {
      value = values.length === 1 ? max : 0;
      rest = arg;
    } else {
      const r = leadingUint(arg, 0, max);
      if (!r) {
        ctx.error(
          use.valueAt,
          `${ext}: bad value for option "--${use.name}" near "${arg}", or out of range (0-${max}).`,
        );
      }
      value = r!.value;
      rest = r!.rest;
      if (rest !== '' && rest[0] !== ':') {
        ctx.error(
          use.valueAt,
          `${ext}: Argument to "--${use.name}" has unexpected characters near "${rest}".`,
        );
      }
    }
    values.push(value);
    if (rest === '') break;
    arg = rest.slice(1);
  }
  return values;
}

export const lengthMatch: MatchExtension<LengthMatch> = {
  name: 'length',
  kinds: ['length'],
  options: [{ name: 'length', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'length');
    if (!use) ctx.error(at, 'length: option "--length" must be specified');
    const [min, max] = xtUintRange(use!, ctx, 'length', 0xffff);
    return { kind: 'length', min: min!, max: max ?? min!, invert: use!.invert };
  },
  save: (m) => `${m.invert ? '! ' : ''}--length ${m.min === m.max ? m.min : `${m.min}:${m.max}`}`,
};
