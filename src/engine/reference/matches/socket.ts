// -m socket: not evaluated yet (stub).

import type { SocketMatch } from '../../../ir/matches/socket.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const socketEvaluator: MatchEvaluator<SocketMatch> = notEvaluated('socket');
