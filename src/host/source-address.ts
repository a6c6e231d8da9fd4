// Source address selection for IPv4, as the kernel's inet_select_addr(dev, dst, scope) does it:
// used for locally generated packets without a bound source, for MASQUERADE (dst = the next
// hop, scope universe) and for routes without a prefsrc.

import type { Host } from './host.js';
import type { InterfaceAddress } from './interfaces.js';
import type { Address } from './ip-text.js';
import { SCOPE } from './scope.js';

function subnetMatch(dst: number, a: InterfaceAddress): boolean {
  // inet_ifa_match compares with ifa_address: the peer for point-to-point addresses.
  const base = a.peer?.words[0] ?? a.words[0]!;
  const mask = a.prefixLen === 0 ? 0 : (0xffffffff << (32 - a.prefixLen)) >>> 0;
  return ((dst ^ base) & mask) >>> 0 === 0;
}

/**
 * The source address the kernel picks for traffic out of `dev` towards `dst` (0 or undefined:
 * no preference) when routes allow addresses up to `scope` (numeric RT_SCOPE, global = 0).
 * Primary addresses of `dev` first, preferring one whose subnet holds `dst`; then the first
 * primary address of any device in device order (lo first) that is not link-scoped.
 */
export function selectSourceAddress(
  host: Host,
  dev: string,
  dst = 0,
  scope: number = SCOPE.global,
): Address | undefined {
  const iface = host.interface(dev);
  if (iface) {
    // route_localnet lets 127/8 (host scope) addresses serve link-scope traffic.
    const localnetScope = host.sysctl.ipv4Conf(dev, 'route_localnet', 'or') ? SCOPE.link : SCOPE.host;
    let addr: number | undefined;
    for (const a of iface.addresses) {
      if (a.family !== 'ipv4' || a.secondary) continue;
      if (Math.min(a.scope, localnetScope) > scope) continue;
      if (!dst || subnetMatch(dst, a)) {
        addr = a.words[0]!;
        break;
      }
      addr ??= a.words[0]!;
    }
    if (addr !== undefined) return { family: 'ipv4', words: [addr] };
  }
  for (const other of host.interfaces) {
    for (const a of other.addresses) {
      if (a.family !== 'ipv4' || a.secondary) continue;
      if (a.scope !== SCOPE.link && a.scope <= scope) return { family: 'ipv4', words: a.words };
    }
  }
  return undefined;
}

/** Whether `addr` is configured on some interface (inet_lookup_ifaddr), returning that interface. */
export function interfaceOwning(host: Host, addr: number): string | undefined {
  for (const iface of host.interfaces)
    for (const a of iface.addresses) if (a.family === 'ipv4' && a.words[0] === addr) return iface.name;
  return undefined;
}
