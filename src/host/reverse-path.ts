// ipt_rpfilter's reverse route lookup (rpfilter_lookup_reverse, net/ipv4/netfilter/ipt_rpfilter.c):
// a fib_lookup towards the packet's source — flowi4_iif the loopback device, the packet's
// destination as the flow's source, its TOS under IPTOS_RT_MASK, the mark with --validmark —
// must find a unicast route (or a local one with --accept-local) one of whose next hops uses the
// input device (any device with --loose: fib_info_nh_uses_dev). Host files carry no policy rules,
// so neither the flow's source nor its mark changes which route is found.

import type { Host } from './host.js';
import { fibLookup } from './routing.js';

/** IPTOS_RT_MASK: the TOS bits routing looks at. */
const IPTOS_RT_MASK = 0x1c;

export interface ReversePathOptions {
  readonly loose: boolean;
  readonly acceptLocal: boolean;
  /** The packet's TOS byte. */
  readonly tos: number;
}

/** Whether the reverse path of an IPv4 packet from `src` received on `iif` passes. */
export function reversePathOk(host: Host, src: number, iif: string, o: ReversePathOptions): boolean {
  const res = fibLookup(host, src >>> 0, undefined, o.tos & IPTOS_RT_MASK);
  if (!res.ok) return false;
  const route = res.match.route;
  if (route.type !== 'unicast' && (route.type !== 'local' || !o.acceptLocal)) return false;
  return o.loose || route.nexthops.some((nh) => nh.dev === iif);
}
