// -m mac (xt_mac.c, mac_mt): the source address of the Ethernet frame the packet arrived in.

import type { MacMatch } from '../../../ir/matches/mac.js';
import type { MatchEvaluator } from '../match-evaluator.js';

export const macEvaluator: MatchEvaluator<MacMatch> = {
  kind: 'mac',
  test(m, ctx) {
    const mac = ctx.packet.macSrc;
    // No Ethernet header (non-Ethernet device, locally generated, looped back): no match,
    // whatever the `!`.
    if (mac === null) return false;
    const want = m.source.value;
    let equal = true;
    for (let i = 0; i < 6; i++) if (mac[i] !== want[i]) equal = false;
    return equal !== m.source.invert;
  },
};
