// -m length --length MIN[:MAX] (libxt_length).

import type { LengthMatch } from '../../../ir/matches/length.js';
import type { MatchExtension } from '../extension.js';
import { uintRangeOption } from '../xtables-options.js';

export const lengthMatch: MatchExtension<LengthMatch> = {
  name: 'length',
  kinds: ['length'],
  options: [{ name: 'length', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'length');
    if (!use) ctx.error(at, 'length: option "--length" must be specified');
    const [min, max] = uintRangeOption(use!, ctx, 'length', 0xffffn).map(Number);
    return { kind: 'length', min: min!, max: max ?? min!, invert: use!.invert };
  },
  save: (m) => `${m.invert ? '! ' : ''}--length ${m.min === m.max ? m.min : `${m.min}:${m.max}`}`,
};
