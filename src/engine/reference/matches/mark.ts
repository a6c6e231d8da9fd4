// -m mark (xt_mark mark_mt): skb->mark under a mask.

import type { MarkMatch } from '../../../ir/matches/mark.js';
import type { MatchEvaluator } from '../match-evaluator.js';

export const markEvaluator: MatchEvaluator<MarkMatch> = {
  kind: 'mark',
  // (mark & mask) == value: the value is not masked, so bits outside the mask never match.
  test: (m, ctx) =>
    ((ctx.packet.mark & m.mark.value.mask) >>> 0 === m.mark.value.value >>> 0) !== m.mark.invert,
};
