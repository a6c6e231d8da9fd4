// -m icmp6 (xt_tcpudp.c, icmp6_match): type and code range of an ICMPv6 header. Unlike icmp,
// type 255 is no wildcard (icmp6_type_code_match).

import type { Icmp6Match } from '../../../ir/matches/icmp6.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { testIcmpType } from './icmp.js';

export const icmp6Evaluator: MatchEvaluator<Icmp6Match> = {
  kind: 'icmp6',
  test: (m, ctx) => testIcmpType(m, ctx, false),
};
