// The address type the addrtype match tests (kernel inet_dev_addr_type): 0.0.0.0 and
// 255.255.255.255 are BROADCAST, 224/4 MULTICAST, anything else the type of the route the local
// table lookup finds (which, without policy rules, shares its trie with main: a `local` route in
// main makes its addresses LOCAL), UNICAST when nothing matches or a reject route answers.
// `--limit-iface-in/out` passes a device: a route found on another device counts as UNICAST.

import type { AddressType } from '../ir/matches/addrtype.js';
import type { Host } from './host.js';
import { type Address, isLimitedBroadcast4, isMulticast4, isZeronet4, sameWords } from './ip-text.js';
import { fibTable } from './routing.js';

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
 * IPv6 (approximate, not yet checked against the kernel): ff00::/8 multicast, :: unspec, an
 * address configured on the host (on `dev`, when given) local, anything else unicast.
 */
function addressType6(host: Host, addr: Address, dev: string | undefined): AddressType {
  const w0 = addr.words[0]! >>> 0;
  if (w0 >>> 24 === 0xff) return 'multicast';
  if (addr.words.every((w) => w === 0)) return 'unspec';
  for (const iface of host.interfaces) {
    if (dev !== undefined && iface.name !== dev) continue;
    if (iface.addresses.some((a) => a.family === 'ipv6' && sameWords(a.words, addr.words))) return 'local';
  }
  return 'unicast';
}
