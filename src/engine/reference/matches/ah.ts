// -m ah: IPv4 (ipt_ah.c, ah_mt) reads the AH header at par->thoff (the rule has `-p ah`) and
// tests the SPI; IPv6 (ip6t_ah.c, ah_mt6) finds the AH header among the extension headers and
// can also test its length and reserved field.

import type { AhMatch } from '../../../ir/matches/ah.js';
import { get8, get16, get32 } from '../../../wire/bytes.js';
import { NEXTHDR_AUTH } from '../../../wire/ipv6.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { u32RangeMatches } from './esp.js';
import { IPV6_HDR_MALFORMED, ipv6FindHeader } from './ipv6header.js';
import { hasBytes, isLaterFragment, transportOffset } from './tcp.js';

/** sizeof(struct ip_auth_hdr): next header, length, reserved, SPI, sequence number. */
const AH_HEADER_LEN = 12;

export const ahEvaluator: MatchEvaluator<AhMatch> = {
  kind: 'ah',
  test(m, ctx) {
    const p = ctx.packet;
    if (p.decoded.family === 'ipv4') {
      if (isLaterFragment(p)) return false;
      const th = transportOffset(p);
      if (!hasBytes(p, th, AH_HEADER_LEN)) return 'hotdrop';
      return u32RangeMatches(m.spi, get32(p.bytes, th + 4));
    }
    const ptr = ipv6FindHeader(p, NEXTHDR_AUTH);
    if (ptr < 0) return ptr === IPV6_HDR_MALFORMED ? 'hotdrop' : false;
    if (!hasBytes(p, ptr, AH_HEADER_LEN)) return 'hotdrop';
    const b = p.bytes;
    if (!u32RangeMatches(m.spi, get32(b, ptr + 4))) return false;
    // ipv6_authlen: the length compared is in bytes, (hdrlen + 2) * 4; a wanted 0 is ignored.
    const hl = m.headerLength;
    if (hl && hl.value !== 0 && (hl.value === (get8(b, ptr + 1) + 2) * 4) === hl.invert) return false;
    return !(m.reservedZero && get16(b, ptr + 2) !== 0);
  },
};
