// -m limit: not evaluated yet (stub).

import type { LimitMatch } from '../../../ir/matches/limit.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const limitEvaluator: MatchEvaluator<LimitMatch> = notEvaluated('limit');
