// -m frag: not evaluated yet (stub).

import type { FragMatch } from '../../../ir/matches/frag.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const fragEvaluator: MatchEvaluator<FragMatch> = notEvaluated('frag');
