// -m time: not evaluated yet (stub).

import type { TimeMatch } from '../../../ir/matches/time.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const timeEvaluator: MatchEvaluator<TimeMatch> = notEvaluated('time');
