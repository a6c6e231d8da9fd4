// libxtables' option plumbing that match and target modules share: the XTTYPE_* readers
// (xtopt_parse_int, xtopt_parse_mint, xtables_parse_val_mask, ...), the checks of
// xtables_options_fcheck, and the hook checks modules make for the kernel. Each module names
// itself (`ext`) in the messages, as libxtables does with the extension's name.

import type { MaskedValue, Negated } from '../../ir/common.js';
import type { UintRange } from '../../ir/matches/esp.js';
import { BUILTIN_CHAINS } from '../../ir/tables.js';
import type { OptionUse, ParseContext } from './extension.js';
import { parseUintInRange, strtouiPrefix, U32_MAX, xtStrtoul } from './numbers.js';
import { protocolNumber } from './protocols.js';
import type { Token } from './tokens.js';

/**
 * How a module words xtopt_parse_int's range error (`EXT: bad value for option "--NAME", or out
 * of range (MIN-MAX)`): 'iptables' ends it with a period as iptables 1.8.9 does; 'bare' leaves
 * the period out; 'quoted' adds the value (`: \`VALUE'`). Only the wording differs.
 */
export type RangeWording = 'iptables' | 'bare' | 'quoted';

/** xtopt_parse_int (XTTYPE_UINT*): the whole value is one number (strtoul base 0) within [min, max]. */
export function uintOption(
  use: OptionUse,
  ctx: ParseContext,
  ext: string,
  min: number,
  max: number,
  wording: RangeWording = 'iptables',
): number {
  const n = parseUintInRange(use.value!, min, max);
  if (n === undefined) {
    const tail = wording === 'iptables' ? '.' : wording === 'quoted' ? `: \`${use.value}'` : '';
    ctx.error(
      use.valueAt,
      `${ext}: bad value for option "--${use.name}", or out of range (${min}-${max})${tail}`,
    );
  }
  return n!;
}

/**
 * xtopt_parse_mint for the *RC types (XTTYPE_UINT16RC/UINT32RC/UINT64RC): `a`, `a:b`, `:b`
 * (from 0), `a:` (to max), `:`, with empty parts defaulting; returns the one or two values given.
 * iptables 1.8.9 does not yet raise the lower bound to the first value, so `5:3` is accepted.
 */
export function uintRangeOption(use: OptionUse, ctx: ParseContext, ext: string, max: bigint): bigint[] {
  const values: bigint[] = [];
  let arg = use.value!;
  for (;;) {
    if (values.length === 2) {
      ctx.error(use.valueAt, `${ext}: Too many components for option "--${use.name}" (max: 2)`);
    }
    let value: bigint;
    let rest: string;
    if (arg === '' || arg[0] === ':') {
      value = values.length === 1 ? max : 0n;
      rest = arg;
    } else {
      const r = xtStrtoul(arg, 0n, max);
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

/** An XTTYPE_UINT32RC option as a range (one value: from === to); absent when 0:max, not inverted. */
export function u32RangeOption(
  use: OptionUse | undefined,
  ctx: ParseContext,
  ext: string,
): Negated<UintRange> | undefined {
  if (!use) return undefined;
  const [from, to] = uintRangeOption(use, ctx, ext, BigInt(U32_MAX)).map(Number);
  const value = { from: from!, to: to ?? from! };
  return value.from === 0 && value.to === U32_MAX && !use.invert ? undefined : { value, invert: use.invert };
}

/**
 * How iptables 1.8.9 saves such a range (` ! --NAME a:b`): nothing for 0:4294967295 even when
 * inverted, a single number when from === to.
 */
export function saveU32Range(name: string, r: Negated<UintRange> | undefined): string[] {
  if (!r || (r.value.from === 0 && r.value.to === U32_MAX)) return [];
  const v = r.value.from === r.value.to ? `${r.value.from}` : `${r.value.from}:${r.value.to}`;
  return [`${r.invert ? '! ' : ''}--${name} ${v}`];
}

/** A bidirectional number/name table such as /etc/iproute2/rt_realms (xtables_lmap). */
export type NameMap = readonly (readonly [number, string])[];

/**
 * `value[/mask]`, both 32-bit numbers read by xtables_strtoui (base 0); the mask is all ones when
 * not given. 'bad' when a number is missing or out of range, 'garbage' when text follows one.
 * The syntax of xtables_parse_val_mask and xtables_parse_mark_mask (XTTYPE_MARKMASK32).
 */
export function scanValueMask(text: string): MaskedValue | 'bad' | 'garbage' {
  const v = strtouiPrefix(text, 0, U32_MAX);
  if (!v) return 'bad';
  if (v.end === text.length) return { value: v.value, mask: U32_MAX };
  if (text[v.end] !== '/') return 'garbage';
  const m = strtouiPrefix(text.slice(v.end + 1), 0, U32_MAX);
  if (!m) return 'bad';
  if (v.end + 1 + m.end !== text.length) return 'garbage';
  return { value: v.value, mask: m.value };
}

/**
 * How a module words scanValueMask's two errors, after `EXT: bad integer value for option
 * "--NAME", or out of range ` and `EXT: trailing garbage after value for option "--NAME"`.
 */
const VALUE_MASK_WORDING = {
  /** The mark-style matches (mark, connmark, realm, devgroup). */
  match: { bad: '(expected 0-4294967295).', garbage: '.' },
  /** MARK and CONNMARK. */
  mark: { bad: '(expected VALUE[/MASK], 32-bit numbers)', garbage: ' (expected VALUE[/MASK])' },
  /** TPROXY's --tproxy-mark. */
  tproxy: { bad: '(0-0xffffffff).', garbage: ' (expected value[/mask]).' },
} as const;

/**
 * xtables_parse_val_mask / xtables_parse_mark_mask as an option: `value[/mask]`, or, when `names`
 * is given, a name from it (mask all ones) wherever the text is no number.
 */
export function valueMaskOption(
  use: OptionUse,
  ctx: ParseContext,
  ext: string,
  wording: keyof typeof VALUE_MASK_WORDING = 'match',
  names?: NameMap,
): MaskedValue {
  const arg = use.value!;
  const r = scanValueMask(arg);
  if (typeof r !== 'string') return r;
  // A name is tried when the text does not start with a number, or one not followed by '/'.
  const v = names && strtouiPrefix(arg, 0, U32_MAX);
  if (names && (!v || arg[v.end] !== '/')) {
    const hit = names.find(([, n]) => n === arg);
    if (!hit)
      ctx.error(
        use.valueAt,
        `${ext}: could not map name ${arg} to an integer value for option "--${use.name}".`,
      );
    return { value: hit![0], mask: U32_MAX };
  }
  const w = VALUE_MASK_WORDING[wording];
  return r === 'bad'
    ? ctx.error(use.valueAt, `${ext}: bad integer value for option "--${use.name}", or out of range ${w.bad}`)
    : ctx.error(use.valueAt, `${ext}: trailing garbage after value for option "--${use.name}"${w.garbage}`);
}

/** xtables_print_val_mask: `0xV/0xM`, or the name / `0xV` when the mask is all ones. */
export function formatValMask(v: MaskedValue, names?: NameMap): string {
  if (v.mask !== U32_MAX) return `0x${v.value.toString(16)}/0x${v.mask.toString(16)}`;
  const name = names?.find(([n]) => n === v.value)?.[1];
  return name ?? `0x${v.value.toString(16)}`;
}

/** The mark and connmark matches' mandatory `[!] --mark value[/mask]`. */
export function markOption(
  uses: readonly OptionUse[],
  ctx: ParseContext,
  ext: string,
  at: Token,
): Negated<MaskedValue> {
  const use = uses.find((u) => u.name === 'mark');
  if (!use) ctx.error(at, `${ext}: option "--mark" must be specified`);
  return { value: valueMaskOption(use!, ctx, ext), invert: use!.invert };
}

/**
 * A comma-separated list of names, each of which may be abbreviated to any prefix
 * (strncasecmp(item, NAME, strlen(item))); the first name in `names` that fits wins.
 */
export function parseNameList<T>(
  arg: string,
  names: readonly (readonly [string, T])[],
  fail: (rest: string) => never,
  emptyLast?: () => never,
): T[] {
  const out: T[] = [];
  const one = (item: string) => {
    const up = item.toUpperCase();
    return names.find(([n]) => n.startsWith(up))?.[1];
  };
  let rest = arg;
  for (let comma = rest.indexOf(','); comma >= 0; comma = rest.indexOf(',')) {
    const v = comma === 0 ? undefined : one(rest.slice(0, comma));
    if (v === undefined) fail(rest);
    out.push(v!);
    rest = rest.slice(comma + 1);
  }
  if (rest === '' && emptyLast) emptyLast();
  const v = rest === '' ? undefined : one(rest);
  if (v === undefined) fail(rest);
  out.push(v!);
  return out;
}

/** One row of an xtables option table, for the checks xtables_options_fcheck makes. */
export interface FcheckEntry {
  readonly name: string;
  /** XTOPT_MAND. */
  readonly mand?: boolean;
  /** Options this one requires (xt_option_entry.also). */
  readonly also?: readonly string[];
  /** Options this one excludes (xt_option_entry.excl). */
  readonly excl?: readonly string[];
}

/**
 * xtables_options_fcheck, which runs after the module's own final check: mandatory options,
 * then for each given option (in table order) the options it requires or excludes.
 */
export function optionsFcheck(
  module: string,
  table: readonly FcheckEntry[],
  uses: readonly OptionUse[],
  ctx: ParseContext,
  at: OptionUse['at'],
): void {
  const used = (n: string) => uses.find((u) => u.name === n);
  for (const e of table) {
    const u = used(e.name);
    if (e.mand && !u) ctx.error(at, `${module}: option "--${e.name}" must be specified`);
    if (!u) continue;
    for (const o of table) {
      if (o === e) continue;
      if (e.also?.includes(o.name) && !used(o.name)) {
        ctx.error(u.at, `${module}: option "--${e.name}" also requires "--${o.name}"`);
      }
      if (e.excl?.includes(o.name) && used(o.name)) {
        ctx.error(u.at, `${module}: option "--${e.name}" cannot be used together with "--${o.name}"`);
      }
    }
  }
}

/**
 * xtables_options_fcheck's exclusion test for a group of options that exclude each other: at
 * most one of `names`; the error is at the first given option that differs from the first.
 */
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

/**
 * A string copied into a kernel structure's char[size] (xtopt_parse_string with XTOPT_PUT,
 * strncpy of size - 1): longer text is cut to size - 1 bytes.
 */
export function truncateBytes(text: string, size: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length < size ? text : bytes.subarray(0, size - 1).toString('utf8');
}

/**
 * xtables_parse_protocol as the conntrack and policy matches' --ctproto / --proto read it: a
 * number 0-255 or a protocol name (getprotobyname also knows /etc/protocols' upper-case
 * aliases: TCP, UDP, ...).
 */
export function protocolOption(use: OptionUse, ctx: ParseContext): number {
  const v = use.value!;
  const num = (s: string) => parseUintInRange(s, 0, 255);
  const p =
    protocolNumber(v, num) ?? (v === v.toUpperCase() ? protocolNumber(v.toLowerCase(), num) : undefined);
  if (p === undefined) ctx.error(use.valueAt, `unknown protocol "${v}" specified`);
  return p!;
}
