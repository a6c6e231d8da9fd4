// -m set: not evaluated yet (stub).

import type { SetMatch } from '../../../ir/matches/set.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const setEvaluator: MatchEvaluator<SetMatch> = notEvaluated('set');
