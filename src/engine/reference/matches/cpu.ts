// -m cpu (xt_cpu cpu_mt): smp_processor_id() == cpu. The reference engine is one CPU, number 0
// (the kernel would spread packets over CPUs by RSS/RPS, which a trace cannot say).

import type { CpuMatch } from '../../../ir/matches/cpu.js';
import type { MatchEvaluator } from '../match-evaluator.js';

export const ENGINE_CPU = 0;

export const cpuEvaluator: MatchEvaluator<CpuMatch> = {
  kind: 'cpu',
  test: (m) => (m.cpu.value === ENGINE_CPU) !== m.cpu.invert,
};
