// -m length: not evaluated yet (stub).

import type { LengthMatch } from '../../../ir/matches/length.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const lengthEvaluator: MatchEvaluator<LengthMatch> = notEvaluated('length');
