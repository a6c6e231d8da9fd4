// Targets the reference engine does not carry out yet. A ruleset using one runs only up to the
// first packet that reaches it, which then stops the run with a clear error instead of a guess.

import type { Target } from '../../../ir/target.js';
import { UnsupportedError } from '../matches/not-evaluated.js';
import type { TargetExecutor } from '../target-executor.js';

export function notExecuted<T extends Target>(
  kind: T['kind'],
): TargetExecutor<T> & { readonly unsupported: true } {
  return {
    kind,
    unsupported: true,
    run: () => {
      throw new UnsupportedError(`the reference engine cannot carry out the ${kind} target yet`);
    },
  };
}
