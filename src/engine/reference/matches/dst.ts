// -m dst (ip6t_hbh.c registered as "dst", hbh_mt6): the first Destination Options header.

import type { DstMatch } from '../../../ir/matches/dst.js';
import { NEXTHDR_DEST } from '../../../wire/ipv6.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { testOptionsHeader } from './hbh.js';

export const dstEvaluator: MatchEvaluator<DstMatch> = {
  kind: 'dst',
  test: (m, ctx) => testOptionsHeader(m, ctx, NEXTHDR_DEST),
};
