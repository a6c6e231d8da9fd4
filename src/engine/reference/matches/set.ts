// -m set (xt_set set_match_v4). nfwasm loads no ipset definitions yet, and the kernel refuses a
// rule naming a set that does not exist, so no loadable ruleset reaches this evaluator: it
// refuses like the other unsupported kinds. The lookup (ip_set_test with the directions, the
// nomatch flag, counter tests and updates) plugs in here once sets are part of the host.

import type { SetMatch } from '../../../ir/matches/set.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { UnsupportedError } from './not-evaluated.js';

export const setEvaluator: MatchEvaluator<SetMatch> & { readonly unsupported: true } = {
  kind: 'set',
  unsupported: true,
  test: (m) => {
    throw new UnsupportedError(`Set ${m.setName} doesn't exist (nfwasm does not load ipsets yet)`);
  },
};
