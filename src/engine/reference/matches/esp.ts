// -m esp: not evaluated yet (stub).

import type { EspMatch } from '../../../ir/matches/esp.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const espEvaluator: MatchEvaluator<EspMatch> = notEvaluated('esp');
