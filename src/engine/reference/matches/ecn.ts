// -m ecn (xt_ecn.c, ecn_mt4 / ecn_mt6): the IP header's ECN field, then the TCP ECE/CWR flags.

import type { EcnMatch } from '../../../ir/matches/ecn.js';
import { get8 } from '../../../wire/bytes.js';
import { TCP_CWR, TCP_ECE } from '../../../wire/tcp.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { hasBytes, transportOffset } from './tcp.js';
import { dsField } from './tos.js';

export const ecnEvaluator: MatchEvaluator<EcnMatch> = {
  kind: 'ecn',
  test(m, ctx) {
    const p = ctx.packet;
    if (m.ipEct && ((dsField(p) & 3) === m.ipEct.value) === m.ipEct.invert) return false;
    if (!m.tcpEce && !m.tcpCwr) return true;
    // match_tcp: no fragment test and no hotdrop. A short header is just no match; a non-first
    // fragment is read at par->thoff as if it held a TCP header (IPv4: the fragment's data;
    // IPv6: thoff is 0, so byte 13 of the IPv6 header, inside the source address).
    const th = transportOffset(p);
    if (!hasBytes(p, th, 20)) return false;
    const flags = get8(p.bytes, th + 13);
    if (m.tcpEce && ((flags & TCP_ECE) !== 0) === m.tcpEce.invert) return false;
    if (m.tcpCwr && ((flags & TCP_CWR) !== 0) === m.tcpCwr.invert) return false;
    return true;
  },
};
