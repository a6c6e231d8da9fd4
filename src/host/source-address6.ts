// IPv6 source address selection as the kernel's ipv6_dev_get_saddr does it (RFC 6724 §5 in
// net/ipv6/addrconf.c): every candidate is ranked rule by rule (ipv6_get_saddr_eval), the first
// address with the best ranking wins.
//
// Candidates: for a multicast or link-local-or-narrower destination, or with use_oif_addrs_only,
// only the outgoing device's addresses; otherwise every device's, in device order and each
// device's address list order (the order `ip addr` prints). Tentative addresses (DAD pending or
// failed), multicast and the unspecified address never qualify.
//
// Rules, in order: 1 the destination itself; 2 appropriate scope (the smallest scope at least the
// destination's, else the largest); 3 not deprecated (loopback, v4-mapped and v4-compatible
// always pass); 5 on the outgoing device; 6 same label (default policy table); 7 public over
// temporary (temporary preferred when use_tempaddr >= 2); 8 ORCHID with ORCHID
// (2001:10::/28); 9 longest common prefix, capped at the address's prefix length.
// (Rule 4, home addresses, only concerns Mobile IPv6.)

import type { Host } from './host.js';
import type { HostInterface, InterfaceAddress } from './interfaces.js';
import type { Address } from './ip-text.js';
import { addressLabel, commonPrefixLength, IPV6_ADDR, IPV6_SCOPE, ipv6Class } from './ipv6-class.js';

const isOrchid = (w: readonly number[]): boolean => w[0]! >>> 4 === 0x2001001;

function ranking(
  host: Host,
  iface: HostInterface,
  a: InterfaceAddress,
  dst: readonly number[],
  dstScope: number,
  dstLabel: number,
  dev: string | undefined,
): number[] {
  const c = ipv6Class(a.words);
  const scope = c.scope >= dstScope ? -c.scope : c.scope - 128;
  const alwaysPreferred = (c.type & (IPV6_ADDR.mapped | IPV6_ADDR.compatv4 | IPV6_ADDR.loopback)) !== 0;
  const preferTemporary = host.sysctl.ipv6Conf(iface.name, 'use_tempaddr') >= 2;
  const common = Math.min(commonPrefixLength(a.words, dst), a.prefixLen);
  return [
    a.words.every((w, i) => w === dst[i]) ? 1 : 0,
    scope,
    alwaysPreferred || !(a.deprecated || a.optimistic) ? 1 : 0,
    dev === undefined || dev === iface.name ? 1 : 0,
    addressLabel(a.words) === dstLabel ? 1 : 0,
    (a.temporary === true) === preferTemporary ? 1 : 0,
    isOrchid(a.words) === isOrchid(dst) ? 1 : 0,
    common,
  ];
}

function better(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
}

/**
 * The source address the kernel picks for a packet to `dst` leaving by `dev` (undefined: no
 * device), or undefined when no address qualifies (-EADDRNOTAVAIL).
 */
export function selectSourceAddress6(
  host: Host,
  dev: string | undefined,
  dst: readonly number[],
): Address | undefined {
  const dstClass = ipv6Class(dst);
  const dstLabel = addressLabel(dst);
  const out = dev === undefined ? undefined : host.interface(dev);
  const oifOnly =
    out !== undefined &&
    ((dstClass.type & IPV6_ADDR.multicast) !== 0 ||
      dstClass.scope <= IPV6_SCOPE.linklocal ||
      host.sysctl.ipv6Conf(out.name, 'use_oif_addrs_only') !== 0);
  const devices = oifOnly ? [out] : host.interfaces;
  let best: { addr: InterfaceAddress; rank: number[] } | undefined;
  for (const iface of devices)
    for (const a of iface.addresses) {
      if (a.family !== 'ipv6' || (a.tentative && !a.optimistic)) continue;
      const c = ipv6Class(a.words);
      if (c.type === IPV6_ADDR.any || (c.type & IPV6_ADDR.multicast) !== 0) continue;
      const rank = ranking(host, iface, a, dst, dstClass.scope, dstLabel, out?.name);
      if (!best || better(rank, best.rank)) best = { addr: a, rank };
    }
  return best ? { family: 'ipv6', words: best.addr.words } : undefined;
}
