import { type HostLayout, type HostSpec, hostLayout, type IpAddrLink, type IpRoute } from './host-spec.js';
import { addNamespace, deleteNamespace, newNamespaceBase, sweepStaleNamespaces } from './namespaces.js';
import { type StaticNeighbour, staticNeighbours } from './neighbours.js';
import { inNs, run, tryRun } from './sh.js';
import type { TracePacket } from './trace-io.js';

/** Name of the peer end inside every peer namespace. */
export const PEER_DEV = 'nfwpeer';

export interface PeerEnd {
  /** The host interface this peer is wired to. */
  readonly hostIf: string;
  readonly ns: string;
  readonly dev: string;
  readonly mac: string;
}

export interface BuiltHost {
  readonly hostNs: string;
  readonly layout: HostLayout;
  /** Host interface name → its peer end (bridge ports included, bridges not). */
  readonly peers: ReadonlyMap<string, PeerEnd>;
  readonly neighbours: readonly StaticNeighbour[];
  readonly ipv6: boolean;
  readonly warnings: readonly string[];
  /** Where a packet that arrived on `ifName` is injected: its own peer, or a bridge's first port's. */
  injectionPeer(ifName: string): PeerEnd;
  /** Deletes every namespace this build created. Idempotent. */
  dispose(): void;
}

export interface BuildOptions {
  /** The trace to be replayed: its addresses and MACs feed the static neighbours. */
  readonly trace?: readonly TracePacket[];
  /** The ruleset text: its single addresses (DNAT targets...) get neighbours too. */
  readonly rules?: string;
  /**
   * Every peer end in one namespace `<host>-peers`, named `nfwpeer<N>`, instead of one namespace
   * each: a single sender (tcpreplay) then drives all of the host's interfaces in trace order.
   */
  readonly sharedPeerNamespace?: boolean;
}

const peerMac = (i: number) =>
  `02:6e:66:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;

function wantsIpv6(spec: HostSpec, trace: readonly TracePacket[]): boolean {
  const global = (a: string) => !/^(fe80|ff|::1$)/i.test(a);
  if (spec.addr.some((l) => (l.addr_info ?? []).some((a) => a.family === 'inet6' && global(a.local))))
    return true;
  if ((spec.route6 ?? []).some((r) => r.dst === 'default' || global(r.dst))) return true;
  return trace.some((p) => p.bytes.length > 13 && p.bytes.readUInt16BE(12) === 0x86dd);
}

function sysctls(ns: string, settings: Readonly<Record<string, string | number>>): void {
  const args = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  if (args.length) run(inNs(ns, ['sysctl', '-q', '-w', ...args]));
}

function routeArgs(r: IpRoute, family: '-4' | '-6'): string[] {
  const a: string[] = ['ip', family, 'route', 'replace'];
  if (r.type && r.type !== 'unicast') a.push(r.type);
  a.push(r.dst);
  if (r.gateway) a.push('via', r.gateway);
  if (r.dev) a.push('dev', r.dev);
  if (r.protocol) a.push('proto', r.protocol);
  if (r.scope) a.push('scope', r.scope);
  if (r.prefsrc) a.push('src', r.prefsrc);
  if (r.metric !== undefined) a.push('metric', String(r.metric));
  if (r.flags?.includes('onlink')) a.push('onlink');
  return a;
}

function linkAttrs(l: IpAddrLink): string[] {
  const a: string[] = [];
  if (l.address && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(l.address) && l.address !== '00:00:00:00:00:00')
    a.push('address', l.address);
  if (l.mtu) a.push('mtu', String(l.mtu));
  return a;
}

const isUp = (l: IpAddrLink) => l.flags === undefined || l.flags.includes('UP');

export function buildHost(spec: HostSpec, options: BuildOptions = {}): BuiltHost {
  sweepStaleNamespaces();
  const trace = options.trace ?? [];
  const layout = hostLayout(spec);
  const base = newNamespaceBase();
  const created: string[] = [];
  const warnings: string[] = [];
  const peers = new Map<string, PeerEnd>();
  const hostNs = base;
  const dispose = () => {
    while (created.length) deleteNamespace(created.pop()!);
  };
  const ip = (...args: string[]) => run(['ip', '-n', hostNs, ...args]);
  const ipv6 = wantsIpv6(spec, trace);
  try {
    addNamespace(hostNs);
    created.push(hostNs);
    // Defaults first: interfaces created afterwards inherit them.
    const quiet6 = { accept_ra: 0, autoconf: 0, router_solicitations: 0, dad_transmits: 0, addr_gen_mode: 1 };
    const defaults: Record<string, number> = {};
    for (const [k, v] of Object.entries(quiet6)) defaults[`net.ipv6.conf.default.${k}`] = v;
    if (!ipv6)
      defaults['net.ipv6.conf.all.disable_ipv6'] = defaults['net.ipv6.conf.default.disable_ipv6'] = 1;
    sysctls(hostNs, defaults);
    const early = Object.fromEntries(
      Object.entries(spec.sysctl ?? {}).filter(
        ([k]) => /\.(default|all)\./.test(k) && !k.startsWith('net.bridge'),
      ),
    );
    sysctls(hostNs, early);

    const shared = options.sharedPeerNamespace ? `${base}-peers` : undefined;
    layout.links.forEach((link, i) => {
      const ns = shared ?? `${base}-p${i}`;
      const dev = shared ? `${PEER_DEV}${i}` : PEER_DEV;
      if (!shared || i === 0) {
        addNamespace(ns);
        created.push(ns);
        sysctls(ns, { 'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1 });
      }
      const mac = peerMac(i + 1);
      const mtu = link.mtu ? ['mtu', String(link.mtu)] : [];
      ip(
        'link',
        'add',
        link.ifname,
        ...linkAttrs(link),
        'type',
        'veth',
        'peer',
        'name',
        dev,
        'address',
        mac,
        ...mtu,
        'netns',
        ns,
      );
      peers.set(link.ifname, { hostIf: link.ifname, ns, dev, mac });
      run(inNs(ns, ['ethtool', '-K', dev, 'tx', 'off', 'gso', 'off', 'gro', 'off']));
      run(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    });

    for (const [name, link] of layout.bridges) {
      ip(
        'link',
        'add',
        name,
        ...linkAttrs({ ...link, mtu: undefined }),
        'type',
        'bridge',
        'mcast_snooping',
        '0',
        'stp_state',
        '0',
        'forward_delay',
        '0',
      );
      for (const port of layout.ports.get(name) ?? []) ip('link', 'set', port, 'master', name);
      if (link.mtu) ip('link', 'set', name, 'mtu', String(link.mtu));
    }
    for (const name of [...layout.links.map((l) => l.ifname), ...layout.bridges.keys()]) {
      const r = tryRun(inNs(hostNs, ['ethtool', '-K', name, 'tx', 'off', 'gso', 'off', 'gro', 'off']));
      if (r.status !== 0) warnings.push(`ethtool -K ${name} tx off: ${r.stderr.trim()}`);
    }
    if (layout.bridges.size || Object.keys(spec.sysctl ?? {}).some((k) => k.startsWith('net.bridge.'))) {
      if (tryRun(inNs(hostNs, ['test', '-e', '/proc/sys/net/bridge/bridge-nf-call-iptables'])).status !== 0) {
        tryRun(['modprobe', 'br_netfilter']);
        if (tryRun(inNs(hostNs, ['test', '-e', '/proc/sys/net/bridge/bridge-nf-call-iptables'])).status !== 0)
          warnings.push(
            'br_netfilter is not available: bridged frames will not traverse iptables (net.bridge.* ignored)',
          );
      }
    }

    for (const link of [...layout.links, ...layout.bridges.values()])
      if (isUp(link)) ip('link', 'set', link.ifname, 'up');
    for (const link of [...layout.links, ...layout.bridges.values()]) {
      for (const a of link.addr_info ?? []) {
        if (a.family === 'inet6' && !ipv6) continue;
        const args = ['addr', 'add', `${a.local}/${a.prefixlen}`];
        if (a.broadcast) args.push('broadcast', a.broadcast);
        if (a.scope) args.push('scope', a.scope);
        if (a.noprefixroute) args.push('noprefixroute');
        if (a.family === 'inet6') args.push('nodad');
        ip(...args, 'dev', link.ifname);
      }
    }
    const known = new Set([...layout.links.map((l) => l.ifname), ...layout.bridges.keys(), 'lo']);
    const routes: [IpRoute, '-4' | '-6'][] = [
      ...spec.route.map((r) => [r, '-4'] as [IpRoute, '-4']),
      ...(ipv6 ? (spec.route6 ?? []) : []).map((r) => [r, '-6'] as [IpRoute, '-6']),
    ];
    // Gateway-less routes first: a gateway must be reachable when its route is added.
    routes.sort(([a], [b]) => Number(!!a.gateway) - Number(!!b.gateway));
    for (const [r, fam] of routes) {
      if (r.dev && !known.has(r.dev)) {
        warnings.push(`route ${r.dst} skipped: no interface ${r.dev}`);
        continue;
      }
      ip(...routeArgs(r, fam).slice(1));
    }

    // The MAC that stands for each L3 device's far side: its own peer, or a bridge's first port's.
    const farMac = new Map<string, string>();
    for (const [name, p] of peers) farMac.set(name, p.mac);
    for (const [b, ports] of layout.ports) {
      const first = ports[0] && peers.get(ports[0]);
      if (first) farMac.set(b, first.mac);
    }
    const neighbours = staticNeighbours({ spec, layout, trace, rules: options.rules ?? '', peerMac: farMac });
    // One `ip -batch` for all of them: a generated trace can name thousands of on-link addresses.
    const neighBatch = neighbours.map(
      (n) => `neigh replace ${n.ip} lladdr ${n.mac} nud permanent dev ${n.dev}\n`,
    );
    if (neighBatch.length) run(['ip', '-n', hostNs, '-batch', '-'], neighBatch.join(''));

    const injectionPeer = (ifName: string): PeerEnd => {
      const direct = peers.get(ifName);
      if (direct) return direct;
      const first = layout.ports.get(ifName)?.[0];
      const viaPort = first ? peers.get(first) : undefined;
      if (viaPort) return viaPort;
      throw new Error(
        `trace interface ${ifName}: not an interface of the host JSON (or a bridge without ports)`,
      );
    };
    // No static FDB entries: bridges learn stations from the frames they receive, as the engine
    // does (a frame to a station not heard from yet is flooded to every port).

    const late = Object.fromEntries(Object.entries(spec.sysctl ?? {}).filter(([k]) => !(k in early)));
    for (const [k, v] of Object.entries(late)) {
      const r = tryRun(inNs(hostNs, ['sysctl', '-q', '-w', `${k}=${v}`]));
      if (r.status !== 0) throw new Error(`host JSON sysctl ${k}=${v}: ${r.stderr.trim()}`);
    }
    return { hostNs, layout, peers, neighbours, ipv6, warnings, injectionPeer, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
