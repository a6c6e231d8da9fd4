// -m tos [!] --tos VALUE[/MASK] | SYMBOLIC-NAME (libxt_tos revision 1, XTTYPE_TOSMASK).

import type { TosMatch } from '../../../ir/matches/tos.js';
import type { MatchExtension } from '../extension.js';
import { leadingUint } from './length.js';

/** tos_values.c tos_symbol_names; a symbolic name uses revision 1's mask 0x3f. */
const SYMBOLS: readonly (readonly [string, number])[] = [
  ['Minimize-Delay', 0x10],
  ['Maximize-Throughput', 0x08],
  ['Maximize-Reliability', 0x04],
  ['Minimize-Cost', 0x02],
  ['Normal-Service', 0x00],
];

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

export const tosMatch: MatchExtension<TosMatch> = {
  name: 'tos',
  kinds: ['tos'],
  options: [{ name: 'tos', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'tos');
    if (!use) ctx.error(at, 'tos: option "--tos" must be specified');
    const text = use!.value!;
    const first = leadingUint(text, 0, 255);
    if (first) {
      let mask = 0xff;
      let rest = first.rest;
      if (rest[0] === '/') {
        const m = leadingUint(rest.slice(1), 0, 255);
        if (!m) ctx.error(use!.valueAt, `Illegal value: "${text}" (expected VALUE[/MASK], each 0-255)`);
        mask = m!.value;
        rest = m!.rest;
      }
      if (rest !== '')
        ctx.error(use!.valueAt, `Illegal value: "${text}" (expected VALUE[/MASK], each 0-255)`);
      return { kind: 'tos', value: first.value, mask, invert: use!.invert };
    }
    const sym = SYMBOLS.find(([name]) => name.toLowerCase() === text.toLowerCase());
    if (!sym) {
      ctx.error(
        use!.valueAt,
        `Symbolic name "${text}" is unknown (expected VALUE[/MASK] or one of ${SYMBOLS.map(([n]) => n).join(', ')})`,
      );
    }
    return { kind: 'tos', value: sym![1], mask: 0x3f, invert: use!.invert };
  },
  save: (m) => `${m.invert ? '! ' : ''}--tos ${hex2(m.value)}/${hex2(m.mask)}`,
};
