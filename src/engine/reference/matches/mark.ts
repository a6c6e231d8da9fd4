// -m mark: not evaluated yet (stub).

import type { MarkMatch } from '../../../ir/matches/mark.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const markEvaluator: MatchEvaluator<MarkMatch> = notEvaluated('mark');
