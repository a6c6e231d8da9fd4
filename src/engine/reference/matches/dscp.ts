// -m dscp: not evaluated yet (stub).

import type { DscpMatch } from '../../../ir/matches/dscp.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const dscpEvaluator: MatchEvaluator<DscpMatch> = notEvaluated('dscp');
