// -j MARK (libxt_MARK revision 2): --set-xmark value[/mask], --set-mark value[/mask],
// --and-mark bits, --or-mark bits, --xor-mark bits. iptables-save always prints the kernel's
// (value, mask) pair as --set-xmark.
//
// Also home of small libxtables-style option helpers the other target modules share.

import type { MarkTarget } from '../../../ir/targets/MARK.js';
import type { OptionUse, ParseContext, TargetExtension } from '../extension.js';
import { parseUintInRange } from '../numbers.js';

export const U32_MAX = 0xffffffff;

/** `0x…` lowercase, as printf("0x%x"). */
export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** xtopt_parse_int: an unsigned integer option within [min, max] (base 0 unless told). */
export function uintOption(
  use: OptionUse,
  ctx: ParseContext,
  ext: string,
  min: number,
  max: number,
  base: 0 | 10 | 16 = 0,
): number {
  const n = parseUintInRange(use.value!, min, max, base);
  if (n === undefined) {
    ctx.error(use.valueAt, `${ext}: bad value for option "--${use.name}", or out of range (${min}-${max})`);
  }
  return n!;
}

/**
 * strtoul(text, &end, 0) as xtables_strtoul reads it: the number at the start of the text and
 * where it stops; undefined when no digits come first (or a minus sign does).
 */
export function strtoulPrefix(text: string): { value: number; end: number } | undefined {
  const m = /^\s*\+?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))/.exec(text);
  if (!m) return undefined;
  const value =
    m[1] !== undefined
      ? Number.parseInt(m[1], 16)
      : m[2] !== undefined
        ? Number.parseInt(m[2], 8)
        : Number(m[3]);
  return { value, end: m[0].length };
}

/**
 * xtables_parse_mark_mask: `value[/mask]`, both 32-bit numbers in strtoul base 0; the mask is
 * all ones when not given.
 */
export function markMaskOption(
  use: OptionUse,
  ctx: ParseContext,
  ext: string,
): { value: number; mask: number } {
  const text = use.value!;
  const bad = (): never =>
    ctx.error(
      use.valueAt,
      `${ext}: bad integer value for option "--${use.name}", or out of range (expected VALUE[/MASK], 32-bit numbers)`,
    );
  const garbage = (): never =>
    ctx.error(
      use.valueAt,
      `${ext}: trailing garbage after value for option "--${use.name}" (expected VALUE[/MASK])`,
    );
  const v = strtoulPrefix(text);
  if (!v || v.value > U32_MAX) return bad();
  const rest = text.slice(v.end);
  if (rest === '') return { value: v.value, mask: U32_MAX };
  if (rest[0] !== '/') return garbage();
  const m = strtoulPrefix(rest.slice(1));
  if (!m || m.value > U32_MAX) return bad();
  if (m.end !== rest.length - 1) return garbage();
  return { value: v.value, mask: m.value };
}

/** xtables_options_fcheck's exclusion test: at most one option out of `names`. */
export function exclusive(
  uses: readonly OptionUse[],
  names: readonly string[],
  ctx: ParseContext,
  ext: string,
): void {
  const given = uses.filter((u) => names.includes(u.name));
  const first = given[0];
  const other = given.find((u) => u.name !== first?.name);
  if (first && other) {
    ctx.error(other.at, `${ext}: option "--${first.name}" cannot be used together with "--${other.name}"`);
  }
}

/** xtopt_parse_string with XTOPT_PUT into a char[size]: longer text is cut to size-1 bytes. */
export function truncateBytes(text: string, size: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length < size ? text : bytes.subarray(0, size - 1).toString('utf8');
}

const OPS = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'];

export const markTarget: TargetExtension<MarkTarget> = {
  name: 'MARK',
  kinds: ['MARK'],
  options: OPS.map((name) => ({ name, arg: 'required' as const })),
  build(uses, ctx, at) {
    let result: { value: number; mask: number } | undefined;
    for (const use of uses) {
      switch (use.name) {
        case 'set-xmark': {
          const { value, mask } = markMaskOption(use, ctx, 'MARK');
          result = { value, mask };
          break;
        }
        case 'set-mark': {
          const { value, mask } = markMaskOption(use, ctx, 'MARK');
          result = { value, mask: (value | mask) >>> 0 };
          break;
        }
        case 'and-mark':
          result = { value: 0, mask: ~uintOption(use, ctx, 'MARK', 0, U32_MAX) >>> 0 };
          break;
        case 'or-mark': {
          const v = uintOption(use, ctx, 'MARK', 0, U32_MAX);
          result = { value: v, mask: v };
          break;
        }
        case 'xor-mark':
          result = { value: uintOption(use, ctx, 'MARK', 0, U32_MAX), mask: 0 };
          break;
      }
    }
    if (!result) ctx.error(at, 'MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required');
    exclusive(uses, OPS, ctx, 'MARK');
    return { kind: 'MARK', value: result!.value, mask: result!.mask };
  },
  save: (t) => `--set-xmark ${hex(t.value)}/${hex(t.mask)}`,
};
