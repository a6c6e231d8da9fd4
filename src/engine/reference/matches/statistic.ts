// -m statistic: not evaluated yet (stub).

import type { StatisticMatch } from '../../../ir/matches/statistic.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const statisticEvaluator: MatchEvaluator<StatisticMatch> = notEvaluated('statistic');
