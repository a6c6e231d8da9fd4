// Placeholder for match kinds the reference engine cannot evaluate yet: the engine refuses a
// ruleset that uses one (see UnsupportedError) rather than guessing.

import type { Match } from '../../../ir/match.js';
import type { MatchEvaluator } from '../match-evaluator.js';

export class UnsupportedError extends Error {}

export function notEvaluated<M extends Match>(
  kind: M['kind'],
): MatchEvaluator<M> & { readonly unsupported: true } {
  return {
    kind,
    unsupported: true,
    test: () => {
      throw new UnsupportedError(`the reference engine cannot evaluate the ${kind} match yet`);
    },
  };
}
