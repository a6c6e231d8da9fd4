// The address type the addrtype match tests (kernel inet_dev_addr_type): 0.0.0.0 and
// 255.255.255.255 are BROADCAST, 224/4 MULTICAST, anything else the type of the route the local
// table lookup finds (which, without policy rules, shares its trie with main: a `local` route in
// main makes its addresses LOCAL), UNICAST when nothing matches or a reject route answers.
// `--limit-iface-in/out` passes a device: a route found on another device counts as UNICAST.
// IPv6 follows addrtype_mt6 instead (routeTypes6).

import type { AddressType } from '../ir/matches/addrtype.js';
import type { Host } from './host.js';
import { type Address, isLimitedBroadcast4, isMulticast4, isZeronet4, sameWords } from './ip-text.js';
import { isMulticast6, isUnspecified6 } from './ipv6-class.js';
import { fibTable } from './routing.js';
import { routeLookup6 } from './routing6.js';

export function addressType(host: Host, addr: Address, opts: { readonly dev?: string } = {}): AddressType {
  if (addr.family === 'ipv6') return addressType6(host, addr, opts.dev);
  const a = addr.words[0]! >>> 0;
  if (isZeronet4(a) || isLimitedBroadcast4(a)) return 'broadcast';
  if (isMulticast4(a)) return 'multicast';
  const res = fibTable(host, ['local', 'main'], a);
  if (!res?.ok) return 'unicast';
  const firstDev = res.match.route.nexthops[0]?.dev;
  if (opts.dev !== undefined && firstDev !== opts.dev) return 'unicast';
  return res.match.route.type;
}

/**
 * IPv6: the class for multicast and ::, else the strongest of routeTypes6's answers
 * (unreachable, local, anycast), else unicast. Rules needing several bits at once (an address
 * can be UNICAST and LOCAL) should use routeTypes6 with ipv6Class.
 */
function addressType6(host: Host, addr: Address, dev: string | undefined): AddressType {
  if (isMulticast6(addr.words)) return 'multicast';
  if (isUnspecified6(addr.words)) return 'unspec';
  const types = routeTypes6(host, addr.words, dev);
  return types[0] ?? 'unicast';
}

/**
 * match_lookup_rt6 (xt_addrtype.c): the subset of UNREACHABLE, LOCAL and ANYCAST the kernel
 * reports for an IPv6 address. It asks the output route lookup (oif `dev` when given, which
 * makes it strict): an error or reject route is UNREACHABLE alone; without a device a `local`
 * route is LOCAL, with one LOCAL means the address is assigned to that device (nf_ipv6_chk_addr,
 * tentative ones excluded); ANYCAST is ipv6_anycast_destination: an `anycast` route, or a
 * gateway-less connected route shorter than /127 whose prefix is the address itself (the
 * subnet-router anycast address, on any host).
 */
export function routeTypes6(host: Host, words: readonly number[], dev?: string): AddressType[] {
  const res = routeLookup6(host, words, dev !== undefined ? { oif: dev } : {});
  if (!res.ok || !res.route) return ['unreachable'];
  const route = res.route;
  const out: AddressType[] = [];
  const assigned =
    dev !== undefined &&
    (host.interface(dev)?.addresses ?? []).some(
      (a) => a.family === 'ipv6' && !a.tentative && sameWords(a.words, words),
    );
  if (dev === undefined ? route.type === 'local' : assigned) out.push('local');
  // RTF_NONEXTHOP: addrconf's local/anycast routes and reject routes.
  const nonexthop = route.type !== 'unicast' && route.type !== 'multicast';
  if (
    route.type === 'anycast' ||
    (route.dst.prefixLen! < 127 &&
      !nonexthop &&
      !route.nexthops.some((nh) => nh.gateway) &&
      sameWords(route.dst.addr, words))
  )
    out.push('anycast');
  return out;
}
