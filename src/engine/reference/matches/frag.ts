// -m frag (ip6t_frag.c, frag_mt6): fields of the first IPv6 Fragment header. The header
// length option is stored by the kernel but never tested.

import type { FragMatch } from '../../../ir/matches/frag.js';
import { get8, get16, get32 } from '../../../wire/bytes.js';
import { NEXTHDR_FRAGMENT } from '../../../wire/ipv6.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { u32RangeMatches } from './esp.js';
import { IPV6_HDR_MALFORMED, ipv6FindHeader } from './ipv6header.js';
import { hasBytes } from './tcp.js';

const FRAG_HEADER_LEN = 8;
const IP6_MF = 0x0001;

export const fragEvaluator: MatchEvaluator<FragMatch> = {
  kind: 'frag',
  test(m, ctx) {
    const p = ctx.packet;
    const ptr = ipv6FindHeader(p, NEXTHDR_FRAGMENT);
    if (ptr < 0) return ptr === IPV6_HDR_MALFORMED ? 'hotdrop' : false;
    if (!hasBytes(p, ptr, FRAG_HEADER_LEN)) return 'hotdrop';
    const b = p.bytes;
    const fragOff = get16(b, ptr + 2);
    if (!u32RangeMatches(m.id, get32(b, ptr + 4))) return false;
    // --fragres: the reserved byte and the two reserved bits next to M must be zero.
    if (m.reservedZero && (get8(b, ptr + 1) !== 0 || (fragOff & 0x6) !== 0)) return false;
    if (m.first && (fragOff & ~7) !== 0) return false;
    if (m.more && (fragOff & IP6_MF) === 0) return false;
    if (m.last && (fragOff & IP6_MF) !== 0) return false;
    return true;
  },
};
