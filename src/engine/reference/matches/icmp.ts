// -m icmp: not evaluated yet (stub).

import type { IcmpMatch } from '../../../ir/matches/icmp.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const icmpEvaluator: MatchEvaluator<IcmpMatch> = notEvaluated('icmp');
