// -m devgroup: not evaluated yet (stub).

import type { DevgroupMatch } from '../../../ir/matches/devgroup.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const devgroupEvaluator: MatchEvaluator<DevgroupMatch> = notEvaluated('devgroup');
