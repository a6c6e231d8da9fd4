// -m rpfilter (ipt_rpfilter / ip6t_rpfilter rpfilter_mt; raw and mangle PREROUTING): the
// special cases the match decides itself, then the reverse route lookup through the host.

import type { RpfilterMatch } from '../../../ir/matches/rpfilter.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { ipv6AddrClass } from './addrtype.js';

/** The one loopback device of a network namespace (rpfilter_is_loopback: IFF_LOOPBACK). */
const LOOPBACK = 'lo';

const isLbcast4 = (a: number): boolean => a >>> 0 === 0xffffffff;
/** ipv4_is_local_multicast: 224.0.0.0/24. */
const isLocalMulticast4 = (a: number): boolean => (a & 0xffffff00) >>> 0 === 0xe0000000;

export const rpfilterEvaluator: MatchEvaluator<RpfilterMatch> = {
  kind: 'rpfilter',
  test: (m, ctx) => {
    const p = ctx.packet;
    const d = p.decoded;
    const iif = p.iif ?? '';
    // Looped-back packets always pass (PACKET_LOOPBACK is the loopback device's in this model).
    if (iif === LOOPBACK) return !m.invert;
    if (ctx.family === 'ipv4') {
      // DHCP-style 0.0.0.0 sources to broadcast / link-local multicast pass.
      if (d.src[0] === 0 && (isLbcast4(d.dst[0]!) || isLocalMulticast4(d.dst[0]!))) return !m.invert;
    } else if (ipv6AddrClass(d.src).any) {
      // :: is not routable: "forward path will drop it".
      return !m.invert;
    }
    const ok = ctx.host.reversePathOk(ctx.family, d.src, d.dst, iif, {
      loose: m.loose,
      validMark: m.validMark,
      mark: m.validMark ? p.mark : 0,
      acceptLocal: m.acceptLocal,
      tos: d.tos,
    });
    return ok !== m.invert;
  },
};
