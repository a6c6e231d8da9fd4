// -m physdev: not evaluated yet (stub).

import type { PhysdevMatch } from '../../../ir/matches/physdev.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const physdevEvaluator: MatchEvaluator<PhysdevMatch> = notEvaluated('physdev');
