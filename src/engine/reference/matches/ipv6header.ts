// -m ipv6header: not evaluated yet (stub).

import type { Ipv6HeaderMatch } from '../../../ir/matches/ipv6header.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const ipv6headerEvaluator: MatchEvaluator<Ipv6HeaderMatch> = notEvaluated('ipv6header');
