// -m tcp: not evaluated yet (stub).

import type { TcpMatch } from '../../../ir/matches/tcp.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const tcpEvaluator: MatchEvaluator<TcpMatch> = notEvaluated('tcp');
