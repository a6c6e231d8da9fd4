// -m rpfilter: not evaluated yet (stub).

import type { RpfilterMatch } from '../../../ir/matches/rpfilter.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const rpfilterEvaluator: MatchEvaluator<RpfilterMatch> = notEvaluated('rpfilter');
