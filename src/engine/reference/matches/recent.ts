// -m recent: not evaluated yet (stub).

import type { RecentMatch } from '../../../ir/matches/recent.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const recentEvaluator: MatchEvaluator<RecentMatch> = notEvaluated('recent');
