// -m sctp: not evaluated yet (stub).

import type { SctpMatch } from '../../../ir/matches/sctp.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const sctpEvaluator: MatchEvaluator<SctpMatch> = notEvaluated('sctp');
