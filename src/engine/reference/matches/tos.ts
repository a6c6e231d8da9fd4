// -m tos: not evaluated yet (stub).

import type { TosMatch } from '../../../ir/matches/tos.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const tosEvaluator: MatchEvaluator<TosMatch> = notEvaluated('tos');
