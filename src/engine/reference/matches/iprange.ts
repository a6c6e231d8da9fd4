// -m iprange (xt_iprange.c revision 1, iprange_mt4 / iprange_mt6): source and destination
// address within inclusive ranges, each with its own `!`.

import type { IpRange } from '../../../ir/address.js';
import type { Negated } from '../../../ir/common.js';
import type { IprangeMatch } from '../../../ir/matches/iprange.js';
import type { MatchEvaluator } from '../match-evaluator.js';

/** iprange_ipv6_lt generalised: unsigned big-endian word-by-word comparison (1 or 4 words). */
function compareAddr(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! >>> 0;
    const y = b[i]! >>> 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** A range with from > to contains nothing: the inverted test then always holds. */
function inRange(r: Negated<IpRange> | undefined, addr: readonly number[]): boolean {
  if (r === undefined) return true;
  const outside = compareAddr(addr, r.value.from) < 0 || compareAddr(r.value.to, addr) < 0;
  return outside === r.invert;
}

export const iprangeEvaluator: MatchEvaluator<IprangeMatch> = {
  kind: 'iprange',
  test(m, ctx) {
    const d = ctx.packet.decoded;
    return inRange(m.source, d.src) && inRange(m.destination, d.dst);
  },
};
