// -m multiport: not evaluated yet (stub).

import type { MultiportMatch } from '../../../ir/matches/multiport.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const multiportEvaluator: MatchEvaluator<MultiportMatch> = notEvaluated('multiport');
