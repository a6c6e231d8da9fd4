// cpu: the CPU processing the packet (kernel xt_cpu).

import type { Negated } from '../common.js';

export interface CpuMatch {
  readonly kind: 'cpu';
  /** smp_processor_id() equals this. */
  readonly cpu: Negated<number>;
}

declare module '../match.js' {
  interface MatchKinds {
    cpu: CpuMatch;
  }
}
