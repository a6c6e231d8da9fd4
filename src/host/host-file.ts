// The host file: JSON in iproute2's own shapes, so a real host is captured with
//   {"addr": $(ip -j addr show), "route": $(ip -j route show), "route6": $(ip -j -6 route show),
// (`ip -d -j addr show` adds each interface's kind; `ip -j route show table all` adds the local
// table as the kernel holds it, including local routes no address implies)
//    "sysctl": {...}, "bridges": {...}, "listeners": [...], "proxies": [...]}
// Every error names the JSON path and what was expected there.

import type { Family } from '../ir/address.js';
import { localTableRoutes, parseRoute, type Route } from './fib.js';
import type { Host, Neighbour } from './host.js';
import { type HostInterface, parseInterfaces } from './interfaces.js';
import { parseAddressText } from './ip-text.js';
import { JsonAt } from './json-reader.js';
import { localTableRoutes6 } from './local-table6.js';
import { type Listener, parseListener, parseProxy, type UserlandProxy } from './sockets.js';
import { Sysctls } from './sysctl.js';

const KEYS = ['addr', 'route', 'route6', 'neigh', 'sysctl', 'bridges', 'listeners', 'proxies'] as const;

function parseSysctls(at: JsonAt): Sysctls {
  const values = new Map<string, number | string>();
  if (at.present)
    for (const key of at.keys()) {
      const v = at.field(key);
      if (typeof v.value === 'number') values.set(key, v.number());
      else if (typeof v.value === 'string') values.set(key, v.string());
      else v.fail('a number or a string');
    }
  return new Sysctls(values);
}

function parseBridges(at: JsonAt): Map<string, readonly string[]> {
  const bridges = new Map<string, readonly string[]>();
  if (at.present)
    for (const name of at.keys())
      bridges.set(
        name,
        at
          .field(name)
          .array()
          .map((p) => p.string()),
      );
  return bridges;
}

function parseRoutes(at: JsonAt, family: Family, interfaces: ReadonlyMap<string, HostInterface>): Route[] {
  if (!at.present) return [];
  return at.array().map((item) => {
    // `ip route show table all` mixes in IPv6 routes: take each entry's family from its dst.
    // `default` says nothing; IPv6 routes always carry `pref` (RTA_PREF), and a gateway says too.
    const text = (name: string) => {
      const v = item.field(name).value;
      return typeof v === 'string' ? v : '';
    };
    const v6 = text('dst').includes(':') || text('gateway').includes(':') || item.field('pref').present;
    const own: Family = family === 'ipv4' && v6 ? 'ipv6' : family;
    const route = parseRoute(item, own);
    route.nexthops.forEach((nh, i) => {
      if (nh.dev !== undefined && !interfaces.has(nh.dev)) {
        const devAt = item.field('nexthops').present
          ? item.field('nexthops').array()[i]!.field('dev')
          : item.field('dev');
        devAt.fail('the name of an interface in `addr`');
      }
    });
    return route;
  });
}

/** `ip -j neigh show`: the link-layer addresses the host already knows (for emitted frames). */
function parseNeighbours(at: JsonAt, byName: ReadonlyMap<string, HostInterface>): Neighbour[] {
  if (!at.present) return [];
  return at.array().map((item) => {
    const text = item.field('dst').string();
    const address = parseAddressText(text) ?? item.field('dst').fail('an IPv4 or IPv6 address');
    const dev = item.field('dev').string();
    if (!byName.has(dev)) item.field('dev').fail('the name of an interface in `addr`');
    const mac = item.field('lladdr').optional((m) => m.string()) ?? null;
    return Object.freeze({ address, dev, mac });
  });
}

/** Reads and validates a host file; throws HostFileError naming the JSON path of the first problem. */
export function parseHostFile(text: string, options: { readonly file: string }): Host {
  const root = JsonAt.parse(text, options.file).object();
  for (const key of root.keys())
    if (!(KEYS as readonly string[]).includes(key))
      root.field(key).fail(`nothing: the keys are ${KEYS.join(', ')}`);
  const sysctl = parseSysctls(root.field('sysctl'));
  const bridges = parseBridges(root.field('bridges'));
  const interfaces = parseInterfaces(root.field('addr'), bridges);
  const byName = new Map(interfaces.map((i) => [i.name, i]));
  for (const name of bridges.keys())
    if (!byName.has(name)) root.field('bridges').field(name).fail('a bridge listed in `addr`');
  for (const [bridge, ports] of bridges)
    ports.forEach((port, i) => {
      if (!byName.has(port))
        root.field('bridges').field(bridge).array()[i]!.fail('the name of an interface in `addr`');
    });
  if (!root.field('route').present) root.field('route').fail('the output of `ip -j route show`');
  const dumped = [
    ...parseRoutes(root.field('route'), 'ipv4', byName),
    ...parseRoutes(root.field('route6'), 'ipv6', byName),
  ];
  // A dump of `table all` already holds the local table (with routes such as `local 10.0.0.0/8
  // dev lo` that no address implies); otherwise derive it as the kernel does.
  const dumpedLocal = new Set(dumped.filter((r) => r.table === 'local').map((r) => r.family));
  const derived = [...localTableRoutes(interfaces), ...localTableRoutes6(interfaces, sysctl)];
  const routes = [...derived.filter((r) => !dumpedLocal.has(r.family)), ...dumped];
  const bindv6only = sysctl.number('net.ipv6.bindv6only') !== 0;
  const listeners: Listener[] =
    root.field('listeners').optional((l) => l.array().map((x) => parseListener(x, bindv6only))) ?? [];
  const proxies: UserlandProxy[] =
    root.field('proxies').optional((p) => p.array().map((x) => parseProxy(x, bindv6only))) ?? [];
  const neighbours = parseNeighbours(root.field('neigh'), byName);
  const ordered = [...interfaces].sort((a, b) => a.index - b.index);
  return Object.freeze({
    neighbours: Object.freeze(neighbours),
    file: options.file,
    interfaces: Object.freeze(ordered),
    routes: Object.freeze(routes),
    sysctl,
    listeners: Object.freeze(listeners),
    proxies: Object.freeze(proxies),
    interface: (name: string) => byName.get(name),
  });
}
