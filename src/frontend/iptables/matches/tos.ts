// -m tos [!] --tos VALUE[/MASK] | SYMBOLIC-NAME (libxt_tos revision 1, XTTYPE_TOSMASK).

import type { TosMatch } from '../../../ir/matches/tos.js';
import type { MatchExtension } from '../extension.js';
import { hex2, parseTosMask, TOS_SYMBOLS } from '../tos-dscp.js';

export const tosMatch: MatchExtension<TosMatch> = {
  name: 'tos',
  kinds: ['tos'],
  options: [{ name: 'tos', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'tos');
    if (!use) ctx.error(at, 'tos: option "--tos" must be specified');
    const text = use!.value!;
    const r = parseTosMask(text);
    if (r === 'illegal')
      ctx.error(use!.valueAt, `Illegal value: "${text}" (expected VALUE[/MASK], each 0-255)`);
    if (r === 'unknown') {
      ctx.error(
        use!.valueAt,
        `Symbolic name "${text}" is unknown (expected VALUE[/MASK] or one of ${TOS_SYMBOLS.map(([n]) => n).join(', ')})`,
      );
    }
    const { value, mask } = r as { value: number; mask: number };
    return { kind: 'tos', value, mask, invert: use!.invert };
  },
  save: (m) => `${m.invert ? '! ' : ''}--tos ${hex2(m.value)}/${hex2(m.mask)}`,
};
