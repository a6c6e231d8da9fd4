// -m ah: not evaluated yet (stub).

import type { AhMatch } from '../../../ir/matches/ah.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const ahEvaluator: MatchEvaluator<AhMatch> = notEvaluated('ah');
