// -m rt: not evaluated yet (stub).

import type { RtMatch } from '../../../ir/matches/rt.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const rtEvaluator: MatchEvaluator<RtMatch> = notEvaluated('rt');
