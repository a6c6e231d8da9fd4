// The reverse of build-host.ts, for fixtures: builds a topology from a tiny description in a
// throw-away namespace (veths whose far ends sit in a second throw-away namespace stand for
// NICs and container links; this kernel may lack the dummy driver) and returns a host JSON made
// of what iproute2 itself prints there, so fixtures hold real `ip -j addr` / `ip -j route` output.

import type { HostSpec, IpAddrLink, IpNeigh, IpRoute, Listener, UserlandProxy } from './host-spec.js';
import { addNamespace, deleteNamespace, newNamespaceBase } from './namespaces.js';
import { inNs, run } from './sh.js';

export interface TopologyInterface {
  readonly name: string;
  readonly mac?: string;
  readonly mtu?: number;
  /** CIDR addresses, e.g. "192.168.1.10/24" or "2001:db8::1/64". */
  readonly addrs?: readonly string[];
  /** The bridge this interface is a port of. */
  readonly master?: string;
}

export interface TopologyDescription {
  readonly interfaces: readonly TopologyInterface[];
  readonly bridges?: readonly Omit<TopologyInterface, 'master'>[];
  /** `ip route add` arguments, e.g. "default via 192.168.1.1 dev eth0". */
  readonly routes?: readonly string[];
  readonly routes6?: readonly string[];
  /** `ip neigh add` arguments, e.g. "192.168.1.1 lladdr 02:00:5e:00:01:01 dev eth0 nud permanent". */
  readonly neighbours?: readonly string[];
  /** Copied into the host JSON as they are. */
  readonly sysctl?: Readonly<Record<string, string | number>>;
  readonly listeners?: readonly Listener[];
  readonly proxies?: readonly UserlandProxy[];
}

export function hostJsonFromNetns(desc: TopologyDescription): HostSpec {
  const ns = `${newNamespaceBase()}-dump`;
  const sink = `${ns}-far`;
  const ip = (...a: string[]) => run(['ip', '-n', ns, ...a]);
  const ipv6 = [...desc.interfaces, ...(desc.bridges ?? [])].some((i) =>
    i.addrs?.some((a) => a.includes(':')),
  );
  try {
    addNamespace(ns);
    addNamespace(sink);
    // No link-local addresses or DAD unless the topology is IPv6: fixtures stay small and stable.
    const v6 = ipv6 ? ['net.ipv6.conf.default.dad_transmits=0'] : ['net.ipv6.conf.default.disable_ipv6=1'];
    run(inNs(ns, ['sysctl', '-q', '-w', ...v6]));
    const attrs = (i: Omit<TopologyInterface, 'master'>) => [
      ...(i.mac ? ['address', i.mac] : []),
      ...(i.mtu ? ['mtu', String(i.mtu)] : []),
    ];
    for (const b of desc.bridges ?? [])
      ip('link', 'add', b.name, ...attrs(b), 'type', 'bridge', 'mcast_snooping', '0', 'forward_delay', '0');
    let n = 0;
    for (const i of desc.interfaces) {
      ip('link', 'add', i.name, ...attrs(i), 'type', 'veth', 'peer', 'name', 'far', 'netns', sink);
      run(['ip', '-n', sink, 'link', 'set', 'far', 'name', `far${n}`, 'up']);
      n++;
      if (i.master) ip('link', 'set', i.name, 'master', i.master);
    }
    for (const i of [...(desc.bridges ?? []), ...desc.interfaces]) {
      ip('link', 'set', i.name, 'up');
      for (const a of i.addrs ?? [])
        ip('addr', 'add', a, ...(a.includes(':') ? ['nodad'] : []), 'dev', i.name);
    }
    for (const r of desc.routes ?? []) ip('route', 'add', ...r.split(/\s+/));
    for (const r of desc.routes6 ?? []) ip('-6', 'route', 'add', ...r.split(/\s+/));
    for (const n of desc.neighbours ?? []) ip('neigh', 'add', ...n.split(/\s+/));
    const addr = JSON.parse(ip('-j', 'addr', 'show')) as IpAddrLink[];
    const route = JSON.parse(ip('-j', 'route', 'show')) as IpRoute[];
    const route6 = ipv6 ? (JSON.parse(ip('-6', '-j', 'route', 'show')) as IpRoute[]) : undefined;
    const neigh = desc.neighbours?.length ? (JSON.parse(ip('-j', 'neigh', 'show')) as IpNeigh[]) : undefined;
    const bridges: Record<string, string[]> = {};
    for (const b of desc.bridges ?? [])
      bridges[b.name] = desc.interfaces.filter((i) => i.master === b.name).map((i) => i.name);
    return {
      addr,
      route,
      ...(route6 ? { route6 } : {}),
      ...(neigh ? { neigh } : {}),
      ...(desc.sysctl ? { sysctl: desc.sysctl } : {}),
      ...(desc.bridges?.length ? { bridges } : {}),
      ...(desc.listeners ? { listeners: desc.listeners } : {}),
      ...(desc.proxies ? { proxies: desc.proxies } : {}),
    };
  } finally {
    deleteNamespace(ns);
    deleteNamespace(sink);
  }
}
