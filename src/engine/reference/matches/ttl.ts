// -m ttl: not evaluated yet (stub).

import type { TtlMatch } from '../../../ir/matches/ttl.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const ttlEvaluator: MatchEvaluator<TtlMatch> = notEvaluated('ttl');
