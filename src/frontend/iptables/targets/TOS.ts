// -j TOS --set-tos VALUE[/MASK]|SYMBOL | --and-tos BITS | --or-tos BITS | --xor-tos BITS
// (libxt_TOS.c, revision 1 in both families). All four become one value/mask pair.

import type { TosTarget } from '../../../ir/targets/TOS.js';
import type { OptionUse, ParseContext, TargetExtension } from '../extension.js';
import { parseUintInRange } from '../numbers.js';
import { strtouiPrefix } from './DNAT.js';

const SYMBOLS: readonly (readonly [string, number])[] = [
  ['Minimize-Delay', 0x10],
  ['Maximize-Throughput', 0x08],
  ['Maximize-Reliability', 0x04],
  ['Minimize-Cost', 0x02],
  ['Normal-Service', 0x00],
];

const ACTIONS = ['set-tos', 'and-tos', 'or-tos', 'xor-tos'] as const;

/** xtopt_parse_tosmask with revision 1's default: a symbol changes only the low six bits (mask 0x3f). */
function parseSetTos(use: OptionUse, ctx: ParseContext): { value: number; mask: number } {
  const text = use.value!;
  const first = strtouiPrefix(text, 0, 0xff);
  if (first) {
    let rest = text.slice(first.end);
    let mask = 0xff;
    if (rest[0] === '/') {
      const m = strtouiPrefix(rest.slice(1), 0, 0xff);
      if (!m) ctx.error(use.valueAt, `Illegal value: "${text}" (expected value[/mask], each 0-255)`);
      mask = m!.value;
      rest = rest.slice(1 + m!.end);
    }
    if (rest !== '') ctx.error(use.valueAt, `Illegal value: "${text}" (expected value[/mask], each 0-255)`);
    return { value: first.value, mask };
  }
  const sym = SYMBOLS.find(([n]) => n.toLowerCase() === text.toLowerCase());
  if (!sym) {
    ctx.error(
      use.valueAt,
      `Symbolic name "${text}" is unknown (expected a number 0-255 or one of ${SYMBOLS.map(([n]) => n).join(', ')})`,
    );
  }
  return { value: sym![1], mask: 0x3f };
}

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

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
    const bits = parseUintInRange(use.value!, 0, 255);
    if (bits === undefined)
      ctx.error(use.valueAt, `TOS: bad value for option "--${use.name}", or out of range (0-255).`);
    const b = bits!;
    if (use.name === 'and-tos') return { kind: 'TOS', value: 0, mask: ~b & 0xff };
    if (use.name === 'or-tos') return { kind: 'TOS', value: b, mask: b };
    return { kind: 'TOS', value: b, mask: 0 };
  },
  save(t) {
    return `--set-tos ${hex2(t.value)}/${hex2(t.mask)}`;
  },
};
