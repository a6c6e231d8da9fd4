// -m multiport (xt_multiport.c revision 1, multiport_mt / ports_match_v1): up to 15 ports or
// ranges of TCP/UDP/UDP-Lite/SCTP/DCCP, whose ports sit at the same place in the header.

import type { MultiportMatch } from '../../../ir/matches/multiport.js';
import { get16 } from '../../../wire/bytes.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { hasBytes, isLaterFragment, transportOffset } from './tcp.js';

export const multiportEvaluator: MatchEvaluator<MultiportMatch> = {
  kind: 'multiport',
  test(m, ctx) {
    const p = ctx.packet;
    if (isLaterFragment(p)) return false;
    const th = transportOffset(p);
    // Only the two port fields (4 bytes) are fetched.
    if (!hasBytes(p, th, 4)) return 'hotdrop';
    const src = get16(p.bytes, th);
    const dst = get16(p.bytes, th + 2);
    for (const r of m.ports) {
      const srcHit = src >= r.from && src <= r.to;
      const dstHit = dst >= r.from && dst <= r.to;
      const hit =
        m.direction === 'source' ? srcHit : m.direction === 'destination' ? dstHit : srcHit || dstHit;
      // The first hit decides; `!` negates the whole match.
      if (hit) return !m.invert;
    }
    return m.invert;
  },
};
