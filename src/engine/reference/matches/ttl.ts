// -m ttl (xt_hl.c, ttl_mt): compares the IPv4 TTL with a constant.

import type { TtlMatch } from '../../../ir/matches/ttl.js';
import { get8 } from '../../../wire/bytes.js';
import type { MatchEvaluator } from '../match-evaluator.js';

/** The four comparisons of ttl_mt / hl_mt6 (--ttl-eq/-ne/-lt/-gt, --hl-eq/...). */
export function compareHops(op: TtlMatch['op'], actual: number, value: number): boolean {
  switch (op) {
    case 'eq':
      return actual === value;
    case 'ne':
      return actual !== value;
    case 'lt':
      return actual < value;
    case 'gt':
      return actual > value;
  }
}

export const ttlEvaluator: MatchEvaluator<TtlMatch> = {
  kind: 'ttl',
  test: (m, ctx) => compareHops(m.op, get8(ctx.packet.bytes, 8), m.value),
};
