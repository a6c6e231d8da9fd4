// -m ecn: not evaluated yet (stub).

import type { EcnMatch } from '../../../ir/matches/ecn.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const ecnEvaluator: MatchEvaluator<EcnMatch> = notEvaluated('ecn');
