// -m statistic: the kernel's statistic_mt (net/netfilter/xt_statistic.c).
//
// random: one draw from the run's seeded generator per evaluation (get_random_u32() in the
// kernel), low 31 bits compared with the 31-bit threshold. nth: one counter per rule, started
// at --packet (statistic_mt_check sets count = u.nth.count) and advanced on every evaluation.

import type { StatisticMatch } from '../../../ir/matches/statistic.js';
import type { MatchEvaluator } from '../match-evaluator.js';

interface NthCounter {
  count: number;
}

export const statisticEvaluator: MatchEvaluator<StatisticMatch> = {
  kind: 'statistic',
  test(m, ctx, rule) {
    let hit: boolean;
    if (m.mode === 'random') {
      hit = (ctx.random() & 0x7fffffff) >>> 0 < m.threshold;
    } else {
      // The kernel stores --every N as N - 1 and wraps to 0 when the counter reaches it; the
      // packet that wraps it matches. So `--every 3 --packet 0` matches the 3rd, 6th, ...
      // packet and `--packet 2` the 1st, 4th, ... The count is an atomic_t compared with a
      // u32, i.e. it runs as a u32.
      const every = (m.every - 1) >>> 0;
      const c = ctx.ruleState<NthCounter>(rule, m, () => ({ count: m.packet >>> 0 }));
      c.count = c.count === every ? 0 : (c.count + 1) >>> 0;
      hit = c.count === 0;
    }
    return hit !== m.invert;
  },
};
