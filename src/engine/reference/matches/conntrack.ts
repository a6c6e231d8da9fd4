// -m conntrack: not evaluated yet (stub).

import type { ConntrackMatch } from '../../../ir/matches/conntrack.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const conntrackEvaluator: MatchEvaluator<ConntrackMatch> = notEvaluated('conntrack');
