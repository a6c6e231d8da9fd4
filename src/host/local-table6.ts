// The IPv6 `local` table the kernel builds from interface addresses (net/ipv6/addrconf.c), which
// `ip -6 route show` does not print. Checked against `ip -6 route show table local`:
// - `local ADDR/128 dev IF` per assigned address (addrconf_f6i_alloc, inserted once DAD is done:
//   a tentative address has none yet);
// - on a forwarding device, `anycast PREFIX/128 dev IF` for each address's subnet-router anycast
//   address (the prefix with the host bits zero; addrconf_join_anycast, not for a /128 or ::/0);
// - `multicast ff00::/8 dev IF metric 256` per up device that is not a loopback and has IPv6
//   addresses (addrconf_add_mroute).
// Routes with the same key on several devices keep device order, the multicast ones devices with
// a carrier first (see below): a lookup without a device takes the first.

import { formatAddress, netFromPrefix } from '../ir/address.js';
import { kernelRoute, type Route } from './fib.js';
import type { HostInterface } from './interfaces.js';
import { SCOPE } from './scope.js';
import type { Sysctls } from './sysctl.js';

export function localTableRoutes6(interfaces: readonly HostInterface[], sysctl: Sysctls): Route[] {
  const routes: Route[] = [];
  const seen = new Set<string>();
  const add = (
    type: 'local' | 'anycast' | 'multicast',
    words: readonly number[],
    len: number,
    dev: string,
  ) => {
    const dst = netFromPrefix('ipv6', words, len);
    const key = `${type} ${formatAddress('ipv6', dst.addr)}/${len} ${dev}`;
    if (seen.has(key)) return;
    seen.add(key);
    routes.push(kernelRoute('ipv6', type, dst, dev, SCOPE.global, undefined));
  };
  for (const iface of interfaces) {
    const addrs = iface.addresses.filter((a) => a.family === 'ipv6');
    for (const a of addrs) if (!a.tentative) add('local', a.words, 128, iface.name);
    if (sysctl.ipv6Conf(iface.name, 'forwarding') !== 0)
      for (const a of addrs) {
        if (a.tentative || a.prefixLen === 0 || a.prefixLen >= 128) continue;
        add('anycast', netFromPrefix('ipv6', a.words, a.prefixLen).addr, 128, iface.name);
      }
  }
  // A device gets its multicast route when IPv6 is first configured on it: when it comes up with
  // a carrier (addrconf_dev_config), else when an address is added (addrconf_add_dev). Devices
  // with a carrier were (on a booted host) configured first; the kernel's route order follows.
  const mcast = interfaces.filter(
    (i) => i.up && i.kind !== 'loopback' && i.addresses.some((a) => a.family === 'ipv6'),
  );
  for (const iface of [...mcast.filter((i) => i.lowerUp), ...mcast.filter((i) => !i.lowerUp)])
    add('multicast', [0xff000000, 0, 0, 0], 8, iface.name);
  return routes;
}
