// -m addrtype: not evaluated yet (stub).

import type { AddrtypeMatch } from '../../../ir/matches/addrtype.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const addrtypeEvaluator: MatchEvaluator<AddrtypeMatch> = notEvaluated('addrtype');
