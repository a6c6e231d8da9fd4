// -m quota: not evaluated yet (stub).

import type { QuotaMatch } from '../../../ir/matches/quota.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const quotaEvaluator: MatchEvaluator<QuotaMatch> = notEvaluated('quota');
