// -j TOS --set-tos VALUE[/MASK]|SYMBOL | --and-tos BITS | --or-tos BITS | --xor-tos BITS
// (libxt_TOS.c, revision 1 in both families). All four become one value/mask pair.

import type { TosTarget } from '../../../ir/targets/TOS.js';
import type { OptionUse, ParseContext, TargetExtension } from '../extension.js';
import { hex2, parseTosMask, TOS_SYMBOLS } from '../tos-dscp.js';
import { uintOption } from '../xtables-options.js';

const ACTIONS = ['set-tos', 'and-tos', 'or-tos', 'xor-tos'] as const;

/** --set-tos: xtopt_parse_tosmask with revision 1's default. */
function parseSetTos(use: OptionUse, ctx: ParseContext): { value: number; mask: number } {
  const text = use.value!;
  const r = parseTosMask(text);
  if (r === 'illegal') ctx.error(use.valueAt, `Illegal value: "${text}" (expected value[/mask], each 0-255)`);
  if (r === 'unknown') {
    ctx.error(
      use.valueAt,
      `Symbolic name "${text}" is unknown (expected a number 0-255 or one of ${TOS_SYMBOLS.map(([n]) => n).join(', ')})`,
    );
  }
  return r as { value: number; mask: number };
}

export const tosTarget: TargetExtension<TosTarget> = {
  name: 'TOS',
  kinds: ['TOS'],
  tables: ['mangle'],
  options: ACTIONS.map((name) => ({ name, arg: 'required' as const })),
  build(uses, ctx, at) {
    const given = ACTIONS.filter((a) => uses.some((u) => u.name === a));
    if (given.length === 0)
      ctx.error(at, 'TOS: An action is required (--set-tos, --and-tos, --or-tos or --xor-tos)');
    if (given.length > 1) {
      ctx.error(
        uses.find((u) => u.name === given[1])!.at,
        `TOS: option "--${given[0]}" cannot be used together with "--${given[1]}".`,
      );
    }
    const use = uses.find((u) => u.name === given[0])!;
    if (use.name === 'set-tos') return { kind: 'TOS', ...parseSetTos(use, ctx) };
    const b = uintOption(use, ctx, 'TOS', 0, 255);
    if (use.name === 'and-tos') return { kind: 'TOS', value: 0, mask: ~b & 0xff };
    if (use.name === 'or-tos') return { kind: 'TOS', value: b, mask: b };
    return { kind: 'TOS', value: b, mask: 0 };
  },
  save(t) {
    return `--set-tos ${hex2(t.value)}/${hex2(t.mask)}`;
  },
};
