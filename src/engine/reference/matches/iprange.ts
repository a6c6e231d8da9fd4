// -m iprange: not evaluated yet (stub).

import type { IprangeMatch } from '../../../ir/matches/iprange.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const iprangeEvaluator: MatchEvaluator<IprangeMatch> = notEvaluated('iprange');
