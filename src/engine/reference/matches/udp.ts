// -m udp (xt_tcpudp.c, udp_mt; also serves udplite): source and destination port ranges.

import type { UdpMatch } from '../../../ir/matches/udp.js';
import { get16 } from '../../../wire/bytes.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { hasBytes, isLaterFragment, portMatches, transportOffset } from './tcp.js';

const UDP_HEADER_LEN = 8;

export const udpEvaluator: MatchEvaluator<UdpMatch> = {
  kind: 'udp',
  test(m, ctx) {
    const p = ctx.packet;
    // A non-first fragment never matches, and (unlike tcp) is never dropped for it.
    if (isLaterFragment(p)) return false;
    const th = transportOffset(p);
    // The whole 8-byte header is fetched even though only the ports are compared.
    if (!hasBytes(p, th, UDP_HEADER_LEN)) return 'hotdrop';
    return portMatches(m.sport, get16(p.bytes, th)) && portMatches(m.dport, get16(p.bytes, th + 2));
  },
};
