// -m icmp6: not evaluated yet (stub).

import type { Icmp6Match } from '../../../ir/matches/icmp6.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const icmp6Evaluator: MatchEvaluator<Icmp6Match> = notEvaluated('icmp6');
