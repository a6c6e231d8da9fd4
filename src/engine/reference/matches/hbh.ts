// -m hbh: not evaluated yet (stub).

import type { HbhMatch } from '../../../ir/matches/hbh.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const hbhEvaluator: MatchEvaluator<HbhMatch> = notEvaluated('hbh');
