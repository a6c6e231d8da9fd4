// -m nfacct: not evaluated yet (stub).

import type { NfacctMatch } from '../../../ir/matches/nfacct.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const nfacctEvaluator: MatchEvaluator<NfacctMatch> = notEvaluated('nfacct');
