// -m policy (xt_policy policy_mt). nfwasm models no IPsec: no packet has a secpath (input) or
// an xfrm bundle on its route (output), so match_policy_in/out return "no policy" (-1) and
// `--pol none` matches while `--pol ipsec` never does. When IPsec state arrives, the element
// tests (reqid, spi, proto, mode, tunnel endpoints; strict = whole policy in order) plug in here.

import type { PolicyMatch } from '../../../ir/matches/policy.js';
import type { MatchEvaluator } from '../match-evaluator.js';

export const policyEvaluator: MatchEvaluator<PolicyMatch> = {
  kind: 'policy',
  // ret < 0 (no IPsec) -> XT_POLICY_MATCH_NONE ? true : false.
  test: (m) => m.policy === 'none',
};
