// -m policy: not evaluated yet (stub).

import type { PolicyMatch } from '../../../ir/matches/policy.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const policyEvaluator: MatchEvaluator<PolicyMatch> = notEvaluated('policy');
