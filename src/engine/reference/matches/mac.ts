// -m mac: not evaluated yet (stub).

import type { MacMatch } from '../../../ir/matches/mac.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const macEvaluator: MatchEvaluator<MacMatch> = notEvaluated('mac');
