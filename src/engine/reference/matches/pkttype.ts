// -m pkttype: not evaluated yet (stub).

import type { PkttypeMatch } from '../../../ir/matches/pkttype.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const pkttypeEvaluator: MatchEvaluator<PkttypeMatch> = notEvaluated('pkttype');
