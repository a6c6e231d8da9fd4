// -m quota (xt_quota quota_mt): a per-rule byte budget (the rule's private xt_quota_priv),
// spent by whole packet lengths (skb->len, the IP datagram).

import type { QuotaMatch } from '../../../ir/matches/quota.js';
import type { MatchEvaluator } from '../match-evaluator.js';

interface QuotaState {
  left: bigint;
}

export const quotaEvaluator: MatchEvaluator<QuotaMatch> = {
  kind: 'quota',
  test: (m, ctx, rule) => {
    const st = ctx.ruleState<QuotaState>(rule, m, () => ({ left: m.bytes }));
    const len = BigInt(ctx.packet.bytes.length);
    if (st.left >= len) {
      st.left -= len;
      return !m.invert;
    }
    // Once a packet does not fit, the quota is 0: no smaller packet gets through later.
    st.left = 0n;
    return m.invert;
  },
};
