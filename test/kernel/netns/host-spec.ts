// The host JSON of a scenario: iproute2's own JSON (`ip -j addr show`, `ip -j route show`,
// optionally `ip -6 -j route show` and `ip -j neigh show`) plus sysctls, bridges and the local
// sockets that answer traffic (listeners and docker-proxy-like userland proxies).

import { readFileSync } from 'node:fs';

/** One entry of `ip -j addr show` (only the fields the harness uses). */
export interface IpAddrLink {
  readonly ifname: string;
  readonly flags?: readonly string[];
  readonly mtu?: number;
  readonly master?: string;
  readonly link_type?: string;
  readonly address?: string;
  readonly linkinfo?: { readonly info_kind?: string };
  readonly addr_info?: readonly IpAddrInfo[];
}

export interface IpAddrInfo {
  readonly family: 'inet' | 'inet6';
  readonly local: string;
  readonly prefixlen: number;
  readonly broadcast?: string;
  readonly scope?: string;
  readonly noprefixroute?: boolean;
}

/** One entry of `ip -j route show` / `ip -6 -j route show`. */
export interface IpRoute {
  readonly type?: string;
  readonly dst: string;
  readonly gateway?: string;
  readonly dev?: string;
  readonly protocol?: string;
  readonly scope?: string;
  readonly prefsrc?: string;
  readonly metric?: number;
  readonly flags?: readonly string[];
}

/** One entry of `ip -j neigh show`: becomes a permanent neighbour on the host. */
export interface IpNeigh {
  readonly dst: string;
  readonly dev: string;
  readonly lladdr?: string;
}

/** A local socket that accepts traffic (TCP listen or bound UDP), never answering with data (the host file's `listeners`). */
export interface Listener {
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  /** Bind address; default every address. */
  readonly address?: string;
}

/** A userland proxy like docker-proxy: accepts on address:port, connects to target (the host file's `proxies`). */
export interface UserlandProxy {
  readonly protocol: 'tcp';
  readonly address?: string;
  readonly port: number;
  readonly target: { readonly address: string; readonly port: number };
}

export interface HostSpec {
  readonly addr: readonly IpAddrLink[];
  readonly route: readonly IpRoute[];
  readonly route6?: readonly IpRoute[];
  readonly neigh?: readonly IpNeigh[];
  readonly sysctl?: Readonly<Record<string, string | number>>;
  /** Bridge name → port names; merged with `master` and `linkinfo.info_kind` from `addr`. */
  readonly bridges?: Readonly<Record<string, readonly string[]>>;
  readonly listeners?: readonly Listener[];
  readonly proxies?: readonly UserlandProxy[];
}

export function readHostSpec(path: string): HostSpec {
  const spec = JSON.parse(readFileSync(path, 'utf8')) as HostSpec;
  if (!Array.isArray(spec.addr) || !Array.isArray(spec.route))
    throw new Error(`${path}: expected {"addr": <ip -j addr show>, "route": <ip -j route show>, ...}`);
  return spec;
}

/** The interfaces to build: loopback dropped, bridges and their ports resolved. */
export interface HostLayout {
  /** Non-loopback, non-bridge links: each becomes a veth whose other end is a peer namespace. */
  readonly links: readonly IpAddrLink[];
  /** Bridge name → its link entry (synthesised when only named in `bridges`). */
  readonly bridges: ReadonlyMap<string, IpAddrLink>;
  /** Bridge name → ports in order. */
  readonly ports: ReadonlyMap<string, readonly string[]>;
}

export function hostLayout(spec: HostSpec): HostLayout {
  const byName = new Map(spec.addr.map((l) => [l.ifname, l]));
  const bridgeNames = new Set<string>(Object.keys(spec.bridges ?? {}));
  for (const l of spec.addr) {
    if (l.linkinfo?.info_kind === 'bridge') bridgeNames.add(l.ifname);
    if (l.master) bridgeNames.add(l.master);
  }
  const ports = new Map<string, string[]>();
  for (const b of bridgeNames) ports.set(b, [...(spec.bridges?.[b] ?? [])]);
  for (const l of spec.addr) {
    if (l.master && !ports.get(l.master)!.includes(l.ifname)) ports.get(l.master)!.push(l.ifname);
  }
  const bridges = new Map<string, IpAddrLink>();
  for (const b of bridgeNames) bridges.set(b, byName.get(b) ?? { ifname: b, flags: ['UP'] });
  const links: IpAddrLink[] = spec.addr.filter(
    (l) => l.link_type !== 'loopback' && l.ifname !== 'lo' && !bridgeNames.has(l.ifname),
  );
  // Ports named only in `bridges` still need a veth (their peer plays the container).
  for (const list of ports.values())
    for (const p of list) if (!byName.has(p)) links.push({ ifname: p, flags: ['UP'] });
  return { links, bridges, ports };
}

/** The bridge a link is a port of, if any. */
export function bridgeOf(layout: HostLayout, ifname: string): string | undefined {
  for (const [b, ports] of layout.ports) if (ports.includes(ifname)) return b;
  return undefined;
}
