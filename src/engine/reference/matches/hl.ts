// -m hl: not evaluated yet (stub).

import type { HlMatch } from '../../../ir/matches/hl.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const hlEvaluator: MatchEvaluator<HlMatch> = notEvaluated('hl');
