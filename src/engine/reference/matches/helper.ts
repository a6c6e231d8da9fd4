// -m helper: not evaluated yet (stub).

import type { HelperMatch } from '../../../ir/matches/helper.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const helperEvaluator: MatchEvaluator<HelperMatch> = notEvaluated('helper');
