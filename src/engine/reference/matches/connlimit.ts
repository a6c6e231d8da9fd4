// -m connlimit: not evaluated yet (stub).

import type { ConnlimitMatch } from '../../../ir/matches/connlimit.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const connlimitEvaluator: MatchEvaluator<ConnlimitMatch> = notEvaluated('connlimit');
