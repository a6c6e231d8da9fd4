// -m hashlimit: not evaluated yet (stub).

import type { HashlimitMatch } from '../../../ir/matches/hashlimit.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const hashlimitEvaluator: MatchEvaluator<HashlimitMatch> = notEvaluated('hashlimit');
