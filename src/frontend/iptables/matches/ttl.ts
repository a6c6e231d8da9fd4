// -m ttl (libipt_ttl): --ttl-eq [!], --ttl-lt, --ttl-gt, and the old --ttl (= --ttl-eq).

import type { TtlMatch } from '../../../ir/matches/ttl.js';
import type { MatchExtension, OptionSpec, OptionUse, ParseContext } from '../extension.js';
import type { Token } from '../tokens.js';
import { uintOption } from '../xtables-options.js';

type Op = TtlMatch['op'];

/**
 * Options of the ttl/hl matches: PREFIX-eq (invertible), PREFIX-lt, PREFIX-gt. The old --PREFIX
 * shares PREFIX-eq's id, so libxtables treats it as PREFIX-eq (invertible too).
 */
export function comparisonOptions(prefix: string): OptionSpec[] {
  return [
    { name: `${prefix}-lt`, arg: 'required' },
    { name: `${prefix}-gt`, arg: 'required' },
    { name: `${prefix}-eq`, aliases: [prefix], arg: 'required', invert: true },
  ];
}

/** Exactly one of the comparison options (they exclude each other, --PREFIX is --PREFIX-eq). */
export function parseComparison(
  uses: readonly OptionUse[],
  ctx: ParseContext,
  at: Token,
  prefix: string,
  ext: string,
  what: string,
): { op: Op; value: number } {
  if (uses.length === 0) {
    ctx.error(
      at,
      `${what} match: You must specify one of \`--${prefix}-eq', \`--${prefix}-lt', \`--${prefix}-gt'`,
    );
  }
  if (uses.length > 1) {
    const [a, b] = [uses[0]!, uses[1]!];
    ctx.error(b.at, `${ext}: option "--${b.name}" cannot be used together with "--${a.name}"`);
  }
  const use = uses[0]!;
  const value = uintOption(use, ctx, ext, 0, 255);
  const suffix = use.name.slice(prefix.length + 1);
  const op: Op = suffix === 'eq' ? (use.invert ? 'ne' : 'eq') : (suffix as Op);
  return { op, value };
}

const SAVE: Record<Op, string> = { eq: '--ttl-eq', ne: '! --ttl-eq', lt: '--ttl-lt', gt: '--ttl-gt' };

export const ttlMatch: MatchExtension<TtlMatch> = {
  name: 'ttl',
  kinds: ['ttl'],
  families: ['ipv4'],
  options: comparisonOptions('ttl'),
  build(uses, ctx, at) {
    return { kind: 'ttl', ...parseComparison(uses, ctx, at, 'ttl', 'ttl', 'TTL') };
  },
  save: (m) => `${SAVE[m.op]} ${m.value}`,
};
