// -m hbh and -m dst (ip6t_hbh.c, hbh_mt6): the first Hop-by-Hop or Destination Options header,
// its length and the options it starts with.

import type { HbhMatch, Ipv6OptionsHeaderTest } from '../../../ir/matches/hbh.js';
import { get8 } from '../../../wire/bytes.js';
import { NEXTHDR_HOP } from '../../../wire/ipv6.js';
import type { MatchContext } from '../match-context.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { IPV6_HDR_MALFORMED, ipv6FindHeader } from './ipv6header.js';
import { hasBytes, skbLength } from './tcp.js';

/**
 * hbh_mt6 for the header of type `nexthdr`. --*-len compares with the header's length in bytes,
 * (hdrlen + 1) * 8. --*-opts is a strict prefix test: the header's options, from the first,
 * must be the listed ones in order (type, and length unless "any"); a Pad1 has no length byte.
 * Running out of header or packet before the last listed option ends the test with no match,
 * but the last option itself may overrun (the kernel only checks room before stepping on).
 */
export function testOptionsHeader(
  m: Ipv6OptionsHeaderTest,
  ctx: MatchContext,
  nexthdr: number,
): boolean | 'hotdrop' {
  const p = ctx.packet;
  let ptr = ipv6FindHeader(p, nexthdr);
  if (ptr < 0) return ptr === IPV6_HDR_MALFORMED ? 'hotdrop' : false;
  if (!hasBytes(p, ptr, 2)) return 'hotdrop';
  const b = p.bytes;
  const len = skbLength(p);
  let hdrLen = (get8(b, ptr + 1) + 1) * 8;
  if (len - ptr < hdrLen) return false;
  const ret = m.headerLength === undefined || (m.headerLength.value === hdrLen) !== m.headerLength.invert;
  const opts = m.options;
  if (opts === undefined) return ret;
  ptr += 2;
  hdrLen -= 2;
  let i = 0;
  for (; i < opts.length; i++) {
    if (hdrLen < 1 || ptr >= len) break;
    const type = get8(b, ptr);
    const want = opts[i]!;
    if (type !== want.type) return false;
    let optLen: number;
    if (type !== 0) {
      if (hdrLen < 2 || ptr + 1 >= len) break;
      const l = get8(b, ptr + 1);
      if (want.length !== undefined && want.length !== l) return false;
      optLen = l + 2;
    } else {
      optLen = 1;
    }
    // `ptr > skb->len - optlen` in unsigned arithmetic: false when optlen exceeds skb->len.
    const pastEnd = len >= optLen && ptr > len - optLen;
    if ((pastEnd || hdrLen < optLen) && i < opts.length - 1) break;
    ptr += optLen;
    hdrLen -= optLen;
  }
  return i === opts.length ? ret : false;
}

export const hbhEvaluator: MatchEvaluator<HbhMatch> = {
  kind: 'hbh',
  test: (m, ctx) => testOptionsHeader(m, ctx, NEXTHDR_HOP),
};
