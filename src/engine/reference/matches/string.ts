// -m string: not evaluated yet (stub).

import type { StringMatch } from '../../../ir/matches/string.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const stringEvaluator: MatchEvaluator<StringMatch> = notEvaluated('string');
