// -m state: not evaluated yet (stub).

import type { StateMatch } from '../../../ir/matches/state.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const stateEvaluator: MatchEvaluator<StateMatch> = notEvaluated('state');
