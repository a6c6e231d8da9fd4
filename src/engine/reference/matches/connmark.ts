// -m connmark: not evaluated yet (stub).

import type { ConnmarkMatch } from '../../../ir/matches/connmark.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const connmarkEvaluator: MatchEvaluator<ConnmarkMatch> = notEvaluated('connmark');
