// -m hbh (libip6t_hbh): [!] --hbh-len N, --hbh-opts TYPE[:LENGTH][,TYPE[:LENGTH]...]. The dst
// match (libip6t_dst) is the same over the Destination Options header.

import type { HbhMatch, Ipv6OptionsHeaderTest, Ipv6OptionTest } from '../../../ir/matches/hbh.js';
import { type MatchExtension, type OptionUse, optional, type ParseContext } from '../extension.js';
import { strtoul } from '../numbers.js';
import { uintOption } from '../xtables-options.js';

/** IP6T_OPTS_OPTSNR: options one rule can list. */
const MAX_OPTIONS = 16;

/** parse_opts_num: raw strtoul(s, &end, 0) of the whole text (a '-' wraps around). */
function optsNumber(
  use: OptionUse,
  ctx: ParseContext,
  ext: 'hbh' | 'dst',
  text: string,
  what: 'opt' | 'length',
): number {
  const r = strtoul(text);
  if (r.end === 0) ctx.error(use.valueAt, `${ext}: no valid digits in ${what} \`${text}'`);
  if (r.overflow) ctx.error(use.valueAt, `${what} \`${text}' specified too big: would overflow`);
  if (r.end !== text.length) ctx.error(use.valueAt, `${ext}: error parsing ${what} \`${text}'`);
  return Number(r.value & 0xffn);
}

/** The option list as the kernel gets it: type byte, and length byte 0xff meaning "any length". */
function parseOptions(use: OptionUse, ctx: ParseContext, ext: 'hbh' | 'dst'): Ipv6OptionTest[] {
  const items = use.value!.split(',');
  if (items.length > MAX_OPTIONS) {
    ctx.error(use.valueAt, `too many options specified (at most ${MAX_OPTIONS})`);
  }
  return items.map((item, i) => {
    const colon = item.indexOf(':');
    if (colon >= 0 && i === MAX_OPTIONS - 1) {
      ctx.error(use.valueAt, `too many options specified (the ${MAX_OPTIONS}th cannot have a length)`);
    }
    const type = optsNumber(use, ctx, ext, colon < 0 ? item : item.slice(0, colon), 'opt');
    if (colon < 0) return { type };
    if (type === 0) {
      ctx.error(use.valueAt, ext === 'hbh' ? 'PAD0 has not got length' : "PAD0 hasn't got length");
    }
    const length = optsNumber(use, ctx, ext, item.slice(colon + 1), 'length');
    return length === 0xff ? { type } : { type, length };
  });
}

/** Shared build of hbh and dst: --PREFIX-len and --PREFIX-opts. */
export function buildOpts(
  uses: readonly OptionUse[],
  ctx: ParseContext,
  ext: 'hbh' | 'dst',
): Ipv6OptionsHeaderTest {
  const len = uses.find((u) => u.name === `${ext}-len`);
  const opts = uses.find((u) => u.name === `${ext}-opts`);
  return {
    ...optional(
      'headerLength',
      len ? { value: uintOption(len, ctx, ext, 0, 0xffffffff), invert: len.invert } : undefined,
    ),
    ...optional('options', opts ? parseOptions(opts, ctx, ext) : undefined),
  };
}

/** print_options after --PREFIX-opts: `type` or `type:length`, comma-separated. */
export function saveOpts(m: Ipv6OptionsHeaderTest, ext: 'hbh' | 'dst'): string {
  const parts: string[] = [];
  if (m.headerLength) parts.push(`${m.headerLength.invert ? '! ' : ''}--${ext}-len ${m.headerLength.value}`);
  if (m.options) {
    const list = m.options.map((o) => (o.length === undefined ? `${o.type}` : `${o.type}:${o.length}`));
    parts.push(`--${ext}-opts ${list.join(',')}`);
  }
  return parts.join(' ');
}

export const hbhMatch: MatchExtension<HbhMatch> = {
  name: 'hbh',
  kinds: ['hbh'],
  families: ['ipv6'],
  options: [
    { name: 'hbh-len', arg: 'required', invert: true },
    { name: 'hbh-opts', arg: 'required' },
  ],
  build: (uses, ctx) => ({ kind: 'hbh', ...buildOpts(uses, ctx, 'hbh') }),
  save: (m) => saveOpts(m, 'hbh'),
};
