// -m rt (ip6t_rt.c, rt_mt6): fields of the first IPv6 Routing header, and for type 0 the
// reserved word and the listed addresses.

import type { RtMatch } from '../../../ir/matches/rt.js';
import { get8, get32 } from '../../../wire/bytes.js';
import { NEXTHDR_ROUTING } from '../../../wire/ipv6.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import type { EnginePacket } from '../packet.js';
import { u32RangeMatches } from './esp.js';
import { IPV6_HDR_MALFORMED, ipv6FindHeader } from './ipv6header.js';
import { hasBytes, skbLength } from './tcp.js';

/** sizeof(struct ipv6_rt_hdr): next header, length, type, segments left. */
const RT_HEADER_LEN = 4;
/** sizeof(struct rt0_hdr): the above plus the reserved word; addresses follow. */
const RT0_HEADER_LEN = 8;

function addressAt(p: EnginePacket, off: number, want: readonly number[]): boolean {
  for (let w = 0; w < 4; w++) if (get32(p.bytes, off + 4 * w) !== want[w]) return false;
  return true;
}

export const rtEvaluator: MatchEvaluator<RtMatch> = {
  kind: 'rt',
  test(m, ctx) {
    const p = ctx.packet;
    const ptr = ipv6FindHeader(p, NEXTHDR_ROUTING);
    if (ptr < 0) return ptr === IPV6_HDR_MALFORMED ? 'hotdrop' : false;
    if (!hasBytes(p, ptr, RT_HEADER_LEN)) return 'hotdrop';
    const b = p.bytes;
    const hdrLen = (get8(b, ptr + 1) + 1) * 8;
    // A header longer than the packet: no match, no drop.
    if (skbLength(p) - ptr < hdrLen) return false;
    let ret =
      u32RangeMatches(m.segmentsLeft, get8(b, ptr + 3)) &&
      (m.headerLength === undefined || (m.headerLength.value === hdrLen) !== m.headerLength.invert) &&
      (m.type === undefined || (m.type.value === get8(b, ptr + 2)) !== m.type.invert);
    if (ret && m.reservedZero) {
      if (!hasBytes(p, ptr + 4, 4)) return 'hotdrop';
      ret = get32(b, ptr + 4) === 0;
    }
    const want = m.type0Addresses;
    if (want === undefined) return ret;
    // (hdrlen - 8) / 16 addresses fit in the header (the kernel ignores the type 0 count field).
    const count = Math.floor((hdrLen - RT0_HEADER_LEN) / 16);
    const addrs = want.addresses;
    if (addrs.length > count) return false;
    const base = ptr + RT0_HEADER_LEN;
    if (want.notStrict) {
      // The wanted addresses in order, others allowed between them.
      let i = 0;
      for (let k = 0; k < count && i < addrs.length; k++) {
        if (!hasBytes(p, base + 16 * k, 16)) return 'hotdrop';
        if (addressAt(p, base + 16 * k, addrs[i]!)) i++;
      }
      return i === addrs.length ? ret : false;
    }
    // Strict: exactly these addresses, in this order, and no others.
    for (let k = 0; k < addrs.length; k++) {
      if (!hasBytes(p, base + 16 * k, 16)) return 'hotdrop';
      if (!addressAt(p, base + 16 * k, addrs[k]!)) return false;
    }
    return addrs.length === count ? ret : false;
  },
};
