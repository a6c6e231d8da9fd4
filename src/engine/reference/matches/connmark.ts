// -m connmark (xt_connmark connmark_mt): ct->mark under a mask.

import type { ConnmarkMatch } from '../../../ir/matches/connmark.js';
import type { MatchEvaluator } from '../match-evaluator.js';

export const connmarkEvaluator: MatchEvaluator<ConnmarkMatch> = {
  kind: 'connmark',
  test: (m, ctx) => {
    const e = ctx.ct.entry;
    // No ct (invalid, untracked): false, even with `!`.
    if (!e) return false;
    const hit = (e.mark & m.mark.value.mask) >>> 0 === m.mark.value.value >>> 0;
    return hit !== m.mark.invert;
  },
};
