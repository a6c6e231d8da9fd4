// -m icmp (xt_tcpudp.c, icmp_match): type and code range of an ICMP header; type 255 is the
// kernel's wildcard for any ICMP packet.

import type { IcmpMatch, IcmpTypeTest } from '../../../ir/matches/icmp.js';
import { get8 } from '../../../wire/bytes.js';
import type { MatchContext } from '../match-context.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { hasBytes, isLaterFragment, transportOffset } from './tcp.js';

/** sizeof(struct icmphdr) and sizeof(struct icmp6hdr): both fetched whole. */
const ICMP_HEADER_LEN = 8;

/**
 * icmp_match / icmp6_match: no match on a non-first fragment; hotdrop when the 8-byte header is
 * not all there; otherwise the type/code test, negated as a whole by `!`.
 */
export function testIcmpType(t: IcmpTypeTest, ctx: MatchContext, wildcard255: boolean): boolean | 'hotdrop' {
  const p = ctx.packet;
  if (isLaterFragment(p)) return false;
  const th = transportOffset(p);
  if (!hasBytes(p, th, ICMP_HEADER_LEN)) return 'hotdrop';
  const type = get8(p.bytes, th);
  const code = get8(p.bytes, th + 1);
  const hit = (wildcard255 && t.type === 0xff) || (type === t.type && code >= t.codeMin && code <= t.codeMax);
  return hit !== t.invert;
}

export const icmpEvaluator: MatchEvaluator<IcmpMatch> = {
  kind: 'icmp',
  test: (m, ctx) => testIcmpType(m, ctx, true),
};
