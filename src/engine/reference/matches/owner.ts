// -m owner: not evaluated yet (stub).

import type { OwnerMatch } from '../../../ir/matches/owner.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const ownerEvaluator: MatchEvaluator<OwnerMatch> = notEvaluated('owner');
