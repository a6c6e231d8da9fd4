// -m mark (libxt_mark revision 1): [!] --mark value[/mask].
//
// This file also holds the libxtables value parsers the connection-state and metadata matches
// share (strtoul with an end pointer, value[/mask], `a:b` integer ranges, direct hook checks).

import type { MaskedValue } from '../../../ir/common.js';
import type { MarkMatch } from '../../../ir/matches/mark.js';
import { BUILTIN_CHAINS } from '../../../ir/tables.js';
import { bang, type MatchExtension, type OptionUse, type ParseContext } from '../extension.js';
import type { Token } from '../tokens.js';

const U64_MAX = (1n << 64n) - 1n;

/**
 * glibc strtoumax(s, &end, base) followed by libxtables' checks (xtables_strtoul_base): leading
 * white space, an optional '+', 0x/0 prefixes for base 0, no '-'. Returns the value and the
 * unparsed rest, or undefined when there are no digits, a '-', an overflow, or [min, max] is
 * left.
 */
export function xtStrtoul(
  s: string,
  min: bigint,
  max: bigint,
  base: 0 | 10 | 16 = 0,
): { value: bigint; rest: string } | undefined {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  if (s[i] === '-') return undefined;
  if (s[i] === '+') i++;
  let radix: number = base === 0 ? 10 : base;
  const isHex = (c: string | undefined) => c !== undefined && /[0-9a-fA-F]/.test(c);
  if (
    (base === 0 || base === 16) &&
    s[i] === '0' &&
    (s[i + 1] === 'x' || s[i + 1] === 'X') &&
    isHex(s[i + 2])
  ) {
    radix = 16;
    i += 2;
  } else if (base === 0 && s[i] === '0') radix = 8;
  const digit = radix === 16 ? /[0-9a-fA-F]/ : radix === 8 ? /[0-7]/ : /[0-9]/;
  const start = i;
  while (i < s.length && digit.test(s[i]!)) i++;
  if (i === start) return undefined;
  const value = BigInt(
    radix === 16 ? `0x${s.slice(start, i)}` : radix === 8 ? `0o${s.slice(start, i)}` : s.slice(start, i),
  );
  if (value > U64_MAX || value < min || value > max) return undefined;
  return { value, rest: s.slice(i) };
}

/** A bidirectional number/name table such as /etc/iproute2/rt_realms (xtables_lmap). */
export type NameMap = readonly (readonly [number, string])[];

/**
 * xtables_parse_val_mask: `value[/mask]` with 32-bit numbers in any base, or a name from `names`
 * (mask all ones).
 */
export function parseValMask(use: OptionUse, ctx: ParseContext, ext: string, names?: NameMap): MaskedValue {
  const arg = use.value!;
  const at = use.valueAt;
  const byName = (): MaskedValue => {
    const hit = names!.find(([, n]) => n === arg);
    if (!hit)
      ctx.error(at, `${ext}: could not map name ${arg} to an integer value for option "--${use.name}".`);
    return { value: hit![0], mask: 0xffffffff };
  };
  const bad = (): never =>
    ctx.error(
      at,
      `${ext}: bad integer value for option "--${use.name}", or out of range (expected 0-4294967295).`,
    );
  const v = xtStrtoul(arg, 0n, 0xffffffffn);
  if (!v) return names ? byName() : bad();
  if (v.rest === '') return { value: Number(v.value), mask: 0xffffffff };
  if (!v.rest.startsWith('/')) {
    if (names) return byName();
    ctx.error(at, `${ext}: trailing garbage after value for option "--${use.name}".`);
  }
  const m = xtStrtoul(v.rest.slice(1), 0n, 0xffffffffn);
  if (!m) return bad();
  if (m.rest !== '') ctx.error(at, `${ext}: trailing garbage after value for option "--${use.name}".`);
  return { value: Number(v.value), mask: Number(m.value) };
}

/** xtables_print_val_mask: `0xV/0xM`, or the name / `0xV` when the mask is all ones. */
export function formatValMask(v: MaskedValue, names?: NameMap): string {
  if (v.mask !== 0xffffffff) return `0x${v.value.toString(16)}/0x${v.mask.toString(16)}`;
  const name = names?.find(([n]) => n === v.value)?.[1];
  return name ?? `0x${v.value.toString(16)}`;
}

/**
 * xtopt_parse_mint (XTTYPE_UINT32RC / UINT64RC): up to two `:`-separated numbers; an empty first
 * part is 0, an empty second part the maximum.
 */
export function parseUintRange(use: OptionUse, ctx: ParseContext, ext: string, max: bigint): bigint[] {
  const arg = use.value!;
  const values: bigint[] = [];
  const min = 0n;
  let pos = 0;
  for (;;) {
    if (values.length === 2)
      ctx.error(use.valueAt, `${ext}: Too many components for option "--${use.name}" (max: 2)`);
    const part = arg.slice(pos);
    let value: bigint;
    let consumed: number;
    if (part === '' || part[0] === ':') {
      value = values.length === 1 ? max : min;
      consumed = 0;
    } else {
      const r = xtStrtoul(part, min, max);
      if (!r)
        ctx.error(
          use.valueAt,
          `${ext}: bad value for option "--${use.name}" near "${part}", or out of range (${min}-${max}).`,
        );
      if (r!.rest !== '' && r!.rest[0] !== ':')
        ctx.error(
          use.valueAt,
          `${ext}: Argument to "--${use.name}" has unexpected characters near "${r!.rest}".`,
        );
      value = r!.value;
      consumed = part.length - r!.rest.length;
      // iptables 1.8.9 (the kernel oracle's) does not yet raise the lower bound to the first
      // value here, so `5:3` is accepted.
    }
    values.push(value);
    pos += consumed;
    if (pos >= arg.length) break;
    pos++; // the ':'
  }
  return values;
}

/**
 * Refuses a rule placed directly in a built-in chain whose hook the kernel module does not allow
 * (xt_match.hooks / checkentry). Chains reached only through jumps are not seen here.
 */
export function checkDirectHook(
  ctx: ParseContext,
  at: Token | undefined,
  allowed: readonly string[],
  what: string,
): void {
  const builtin = BUILTIN_CHAINS[ctx.table]?.some((c) => c.name === ctx.chain);
  if (builtin && !allowed.includes(ctx.chain)) {
    ctx.error(
      at,
      `${what} is only valid in ${allowed.join('/')}, not in ${ctx.chain} (the kernel refuses the rule)`,
    );
  }
}

export function markOption(uses: readonly OptionUse[], ctx: ParseContext, ext: string, at: Token) {
  const use = uses.find((u) => u.name === 'mark');
  if (!use) ctx.error(at, `${ext}: option "--mark" must be specified`);
  return { value: parseValMask(use!, ctx, ext), invert: use!.invert };
}

export const markMatch: MatchExtension<MarkMatch> = {
  name: 'mark',
  kinds: ['mark'],
  options: [{ name: 'mark', arg: 'required', invert: true }],
  build: (uses, ctx, at) => ({ kind: 'mark', mark: markOption(uses, ctx, 'mark', at) }),
  save: (m) => `${bang(m.mark.invert)}--mark ${formatValMask(m.mark.value)}`,
};

/**
 * The kernel-time form of checkDirectHook, for MatchExtension.kernelCheck: a message when the
 * rule is reachable from a hook the module does not allow (also through jumps).
 */
export function hookProblem(
  hooks: ReadonlySet<string>,
  allowed: readonly string[],
  what: string,
): string | undefined {
  const bad = [...hooks].filter((h) => !allowed.includes(h));
  return bad.length
    ? `${what} is only valid in ${allowed.join('/')}, but is reached from ${bad.join('/')}`
    : undefined;
}
