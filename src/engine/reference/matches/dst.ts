// -m dst: not evaluated yet (stub).

import type { DstMatch } from '../../../ir/matches/dst.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const dstEvaluator: MatchEvaluator<DstMatch> = notEvaluated('dst');
