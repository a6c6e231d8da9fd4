// -m addrtype (xt_addrtype revision 1): IPv4 asks the route type of the address
// (inet_dev_addr_type); IPv6 is a different test (match_type6): every listed type is a
// condition that must hold, so `--dst-type UNICAST,MULTICAST` never matches there.

import type { Negated } from '../../../ir/common.js';
import type { AddrtypeMatch, AddressType as IrAddressType } from '../../../ir/matches/addrtype.js';
import type { MatchContext } from '../match-context.js';
import type { MatchEvaluator } from '../match-evaluator.js';

/** The classes __ipv6_addr_type puts an address in (the IPV6_ADDR_* bits matches use). */
export interface Ipv6AddrClass {
  /** IPV6_ADDR_ANY: :: (the type is exactly 0). */
  readonly any: boolean;
  readonly unicast: boolean;
  readonly multicast: boolean;
  readonly linklocal: boolean;
}

/** __ipv6_addr_type, reduced to the bits the addrtype and rpfilter matches read. */
export function ipv6AddrClass(w: readonly number[]): Ipv6AddrClass {
  const w0 = w[0]! >>> 0;
  const none = { any: false, unicast: false, multicast: false, linklocal: false };
  const top3 = w0 & 0xe0000000;
  // Every prefix other than 000 and 111 is global unicast.
  if (top3 !== 0 && top3 >>> 0 !== 0xe0000000) return { ...none, unicast: true };
  if (w0 >>> 24 === 0xff) return { ...none, multicast: true };
  if ((w0 & 0xffc00000) >>> 0 === 0xfe800000) return { ...none, unicast: true, linklocal: true };
  if ((w0 & 0xffc00000) >>> 0 === 0xfec00000) return { ...none, unicast: true }; // site-local
  if ((w0 & 0xfe000000) >>> 0 === 0xfc000000) return { ...none, unicast: true }; // ULA
  if (w0 === 0 && w[1] === 0) {
    if (w[2] === 0) {
      if (w[3] === 0) return { ...none, any: true };
      return { ...none, unicast: true }; // ::1 loopback, or IPv4-compatible
    }
    if (w[2] === 0xffff) return none; // IPv4-mapped: neither unicast nor multicast
  }
  return { ...none, unicast: true };
}

function lookupDev(m: AddrtypeMatch, ctx: MatchContext): string | undefined {
  // XT_ADDRTYPE_LIMIT_IFACE_IN/OUT: xt_in / xt_out; a missing device means no restriction.
  if (m.limitInterface === 'in') return ctx.packet.iif ?? undefined;
  if (m.limitInterface === 'out') return ctx.packet.oif ?? undefined;
  return undefined;
}

/** match_type: the address's single route type is in the set. */
function matchType4(
  ctx: MatchContext,
  addr: readonly number[],
  dev: string | undefined,
  set: readonly IrAddressType[],
): boolean {
  return set.includes(ctx.host.addressType('ipv4', addr, dev));
}

/** match_lookup_rt6's bits: LOCAL, ANYCAST, UNREACHABLE. */
function routeTypes6(ctx: MatchContext, addr: readonly number[], dev: string | undefined): IrAddressType[] {
  if (ctx.host.addressTypes6) return [...ctx.host.addressTypes6(addr, dev)];
  const t = ctx.host.addressType('ipv6', addr, dev);
  if (t === 'local' || t === 'anycast') return [t];
  if (t === 'unreachable' || t === 'prohibit' || t === 'blackhole') return ['unreachable'];
  return [];
}

/** match_type6: multicast/unicast/unspec are address-class conditions; the rest a route lookup. */
function matchType6(
  ctx: MatchContext,
  addr: readonly number[],
  dev: string | undefined,
  set: readonly IrAddressType[],
): boolean {
  const cls = ipv6AddrClass(addr);
  if (set.includes('multicast') && !cls.multicast) return false;
  if (set.includes('unicast') && !cls.unicast) return false;
  if (set.includes('unspec') && !cls.any) return false;
  if (set.includes('local') || set.includes('anycast') || set.includes('unreachable')) {
    return routeTypes6(ctx, addr, dev).some((t) => set.includes(t));
  }
  return true;
}

function sideOk(
  ctx: MatchContext,
  addr: readonly number[],
  dev: string | undefined,
  t: Negated<readonly IrAddressType[]> | undefined,
): boolean {
  if (t === undefined || t.value.length === 0) return true; // a zero mask is not tested
  const hit =
    ctx.family === 'ipv6' ? matchType6(ctx, addr, dev, t.value) : matchType4(ctx, addr, dev, t.value);
  return hit !== t.invert;
}

export const addrtypeEvaluator: MatchEvaluator<AddrtypeMatch> = {
  kind: 'addrtype',
  // addrtype_mt_v1: source, then destination, each inverted on its own.
  test: (m, ctx) => {
    const dev = lookupDev(m, ctx);
    return (
      sideOk(ctx, ctx.packet.decoded.src, dev, m.source) &&
      sideOk(ctx, ctx.packet.decoded.dst, dev, m.destination)
    );
  },
};
