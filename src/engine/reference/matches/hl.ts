// -m hl (xt_hl.c, hl_mt6): compares the IPv6 hop limit with a constant.

import type { HlMatch } from '../../../ir/matches/hl.js';
import { get8 } from '../../../wire/bytes.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { compareHops } from './ttl.js';

export const hlEvaluator: MatchEvaluator<HlMatch> = {
  kind: 'hl',
  test: (m, ctx) => compareHops(m.op, get8(ctx.packet.bytes, 7), m.value),
};
