// -m connbytes: not evaluated yet (stub).

import type { ConnbytesMatch } from '../../../ir/matches/connbytes.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const connbytesEvaluator: MatchEvaluator<ConnbytesMatch> = notEvaluated('connbytes');
