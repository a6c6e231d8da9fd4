// -m dscp (xt_dscp.c, dscp_mt / dscp_mt6): the upper six bits of the DS field.

import type { DscpMatch } from '../../../ir/matches/dscp.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { dsField } from './tos.js';

export const dscpEvaluator: MatchEvaluator<DscpMatch> = {
  kind: 'dscp',
  test: (m, ctx) => (dsField(ctx.packet) >>> 2 === m.dscp) !== m.invert,
};
