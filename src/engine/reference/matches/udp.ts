// -m udp: not evaluated yet (stub).

import type { UdpMatch } from '../../../ir/matches/udp.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const udpEvaluator: MatchEvaluator<UdpMatch> = notEvaluated('udp');
