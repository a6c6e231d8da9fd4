// -m cpu: not evaluated yet (stub).

import type { CpuMatch } from '../../../ir/matches/cpu.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const cpuEvaluator: MatchEvaluator<CpuMatch> = notEvaluated('cpu');
