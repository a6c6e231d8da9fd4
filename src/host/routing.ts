// IPv4 route lookup with the kernel's semantics, as `ip route get` reports it:
// - output (no `iif`): ip_route_output_key_hash_rcu, for locally generated packets;
// - input (`iif`): ip_route_input_rcu / ip_route_input_slow, for received packets, with its
//   martian checks, forwarding switch and reverse-path validation (fib_validate_source).
// Without policy rules the kernel keeps `local` and `main` in one trie, so a lookup is one
// longest-prefix match over both (a main route 127.1.0.0/16 beats local 127.0.0.0/8), then
// the `default` table if the dump has one.

import type { Family } from '../ir/address.js';
import type { Route, RouteType } from './fib.js';
import type { Host } from './host.js';
import {
  type Address,
  inNet,
  isLimitedBroadcast4,
  isLocalMulticast4,
  isLoopback4,
  isMulticast4,
  isZeronet4,
} from './ip-text.js';
import { SCOPE } from './scope.js';
import { interfaceOwning, selectSourceAddress } from './source-address.js';

export type RouteErrno = 'ENETUNREACH' | 'EHOSTUNREACH' | 'EACCES' | 'EINVAL' | 'ENODEV';

export interface RouteQuery {
  /** Source address (`from`): for output it must be local; for input it is the packet's. */
  readonly src?: number;
  /** Input interface: look up as a received packet (`iif`). */
  readonly iif?: string;
  /** Output interface the sender insists on (`oif`, SO_BINDTODEVICE). */
  readonly oif?: string;
  /** Packet mark (only consulted by policy rules, which host files do not carry). */
  readonly mark?: number;
  readonly tos?: number;
}

export interface RouteFound {
  readonly ok: true;
  /** IPv6 adds `anycast` (delivered locally, like `local`). */
  readonly type: 'local' | 'broadcast' | 'unicast' | 'multicast' | 'anycast';
  /** The device the packet leaves by (`lo` for local delivery, as the kernel reports). */
  readonly oif: string;
  readonly gateway?: Address;
  /** Output lookups: the source address the kernel picks (or the given `src`). */
  readonly prefsrc?: Address;
  /** The FIB entry used, when one was. */
  readonly route?: Route;
  /**
   * IPv6 input lookups of a unicast route: whether the host forwards (net.ipv6.conf.all.forwarding);
   * when not, ip6_forward drops the packet although the lookup found a route.
   */
  readonly forwarding?: boolean;
}

export interface RouteFailed {
  readonly ok: false;
  readonly errno: RouteErrno;
  /** The route type responsible, for blackhole/unreachable/prohibit/throw routes. */
  readonly type?: RouteType;
  readonly reason: string;
}

export type RouteResult = RouteFound | RouteFailed;

const fail = (errno: RouteErrno, reason: string, type?: RouteType): RouteFailed =>
  Object.freeze({ ok: false, errno, reason, ...(type ? { type } : {}) });

const v4 = (word: number): Address => ({ family: 'ipv4', words: [word >>> 0] });

interface FibMatch {
  readonly route: Route;
  readonly dev: string;
  readonly gateway?: Address;
}

type FibOutcome = { readonly ok: true; readonly match: FibMatch } | RouteFailed;

const TABLE_RANK: Record<string, number> = { local: 0, main: 1 };

/** Lookup orders by route list (a host's routes never change), sorted once per table set. */
const ORDERS = new WeakMap<readonly Route[], Map<string, Route[]>>();

/** Routes of a family in lookup order: longest prefix first; at equal prefix, local before main, lower metric first. */
function lookupOrder(host: Host, family: Family, tables: readonly string[]): Route[] {
  let byTables = ORDERS.get(host.routes);
  if (!byTables) {
    byTables = new Map();
    ORDERS.set(host.routes, byTables);
  }
  const key = `${family} ${tables.join(' ')}`;
  let order = byTables.get(key);
  if (!order) {
    order = host.routes
      .map((route, i) => ({ route, i }))
      .filter(({ route }) => route.family === family && tables.includes(route.table))
      .sort(
        (a, b) =>
          b.route.dst.prefixLen! - a.route.dst.prefixLen! ||
          (TABLE_RANK[a.route.table] ?? 2) - (TABLE_RANK[b.route.table] ?? 2) ||
          a.route.metric - b.route.metric ||
          a.i - b.i,
      )
      .map(({ route }) => route);
    byTables.set(key, order);
  }
  return order;
}

const REJECT: Partial<Record<RouteType, RouteErrno>> = {
  blackhole: 'EINVAL',
  unreachable: 'EHOSTUNREACH',
  prohibit: 'EACCES',
  throw: 'ENETUNREACH',
};

/** fib_table_lookup over one set of tables: the first usable route, or the error a reject route gives. */
export function fibTable(
  host: Host,
  tables: readonly string[],
  dst: number,
  oif?: string,
  tos = 0,
): FibOutcome | undefined {
  for (const route of lookupOrder(host, 'ipv4', tables)) {
    if (!inNet(route.dst, [dst])) continue;
    if (route.tos && route.tos !== tos) continue;
    const err = REJECT[route.type];
    if (err) return fail(err, `${route.type} route`, route.type);
    if (route.flags.includes('dead')) continue;
    for (const nh of route.nexthops) {
      if (nh.flags.includes('dead')) continue;
      // The kernel flushes routes through a device that goes down; host-scope (local) ones stay.
      const dev = nh.dev === undefined ? undefined : host.interface(nh.dev);
      if (!dev || (route.scope < SCOPE.host && !dev.up)) continue;
      if (oif !== undefined && nh.dev !== oif) continue;
      return { ok: true, match: { route, dev: dev.name, ...(nh.gateway ? { gateway: nh.gateway } : {}) } };
    }
  }
  return undefined;
}

/** fib_lookup without policy rules: main (merged with local), then the default table. */
export function fibLookup(host: Host, dst: number, oif?: string, tos = 0): FibOutcome {
  const main = fibTable(host, ['local', 'main'], dst, oif, tos);
  if (main?.ok) return main;
  const hasDefault = host.routes.some((r) => r.family === 'ipv4' && r.table === 'default');
  const dflt = hasDefault ? fibTable(host, ['default'], dst, oif, tos) : undefined;
  return dflt ?? main ?? fail('ENETUNREACH', 'no route');
}

/** fib_result_prefsrc: the route's prefsrc, else the address inet_select_addr picks for its next hop. */
function resultPrefsrc(host: Host, m: FibMatch): Address | undefined {
  return m.route.prefsrc ?? selectSourceAddress(host, m.dev, m.gateway?.words[0] ?? 0, m.route.scope);
}

/** The next hop a route cache entry records: a gateway on a link-scope next hop only. */
function gatewayOf(m: FibMatch): Address | undefined {
  return m.route.scope === SCOPE.host ? undefined : m.gateway;
}

/** The local device owning `addr` (__ip_dev_find): configured addresses, then local-type routes. */
function deviceOfLocal(host: Host, addr: number): string | undefined {
  const owner = interfaceOwning(host, addr);
  if (owner) return owner;
  const local = fibTable(host, ['local'], addr);
  return local?.ok && local.match.route.type === 'local' ? local.match.dev : undefined;
}

function loopbackName(host: Host): string {
  return host.interfaces.find((i) => i.kind === 'loopback')?.name ?? 'lo';
}

/** Looks up an IPv4 destination like `ip route get DST [from SRC] [iif IF] [oif IF] [mark M]`. */
export function routeLookup(host: Host, dst: number, q: RouteQuery = {}): RouteResult {
  return q.iif !== undefined ? inputRoute(host, dst >>> 0, q.iif, q) : outputRoute(host, dst >>> 0, q);
}

function outputRoute(host: Host, daddr: number, q: RouteQuery): RouteResult {
  let saddr = q.src ?? 0;
  let oif = q.oif;
  const lo = loopbackName(host);
  const tos = q.tos ?? 0;
  const make = (type: RouteFound['type'], dev: string, m?: FibMatch): RouteResult =>
    makeOutput(host, daddr, saddr, type, dev, m);

  if (saddr) {
    if (isMulticast4(saddr) || isLimitedBroadcast4(saddr))
      return fail('EINVAL', 'source is multicast or broadcast');
    if (oif === undefined && (isMulticast4(daddr) || isLimitedBroadcast4(daddr))) {
      // Multicast and limited broadcast leave by the device that owns the source address.
      const dev = deviceOfLocal(host, saddr);
      if (!dev) return fail('ENETUNREACH', 'source address is not local');
      return make(isMulticast4(daddr) ? 'multicast' : 'broadcast', dev);
    }
    if (!deviceOfLocal(host, saddr)) return fail('ENETUNREACH', 'source address is not local');
  }
  if (oif !== undefined) {
    const dev = host.interface(oif);
    if (!dev) return fail('ENODEV', `no device ${oif}`);
    if (!dev.up) return fail('ENETUNREACH', `device ${oif} is down`);
    if (isLocalMulticast4(daddr) || isLimitedBroadcast4(daddr)) {
      saddr ||= selectSourceAddress(host, oif, 0, SCOPE.link)?.words[0] ?? 0;
      return make(isLimitedBroadcast4(daddr) ? 'broadcast' : 'multicast', oif);
    }
    if (!saddr) {
      if (isMulticast4(daddr)) saddr = selectSourceAddress(host, oif, 0, SCOPE.global)?.words[0] ?? 0;
      else if (!daddr) saddr = selectSourceAddress(host, oif, 0, SCOPE.host)?.words[0] ?? 0;
    }
  }
  if (!daddr) {
    // No destination: the kernel talks to itself, from and to the source (or 127.0.0.1).
    daddr = saddr || 0x7f000001;
    saddr = daddr;
    oif = lo;
    return make('local', lo);
  }
  const res = fibLookup(host, daddr, oif, tos);
  if (!res.ok) {
    if (oif !== undefined) {
      // With an explicit device and no usable route, the kernel assumes the destination is on link.
      saddr ||= selectSourceAddress(host, oif, 0, SCOPE.link)?.words[0] ?? 0;
      return make('unicast', oif);
    }
    return res;
  }
  const m = res.match;
  if (m.route.type === 'local') {
    saddr ||= m.route.prefsrc?.words[0] ?? daddr;
    return make('local', lo, m);
  }
  saddr ||= resultPrefsrc(host, m)?.words[0] ?? 0;
  return make(
    m.route.type === 'broadcast' ? 'broadcast' : m.route.type === 'multicast' ? 'multicast' : 'unicast',
    m.dev,
    m,
  );
}

/** __mkroute_output: the final type and the checks on the chosen device. */
function makeOutput(
  host: Host,
  daddr: number,
  saddr: number,
  resType: RouteFound['type'],
  dev: string,
  m: FibMatch | undefined,
): RouteResult {
  const iface = host.interface(dev);
  if (isLoopback4(saddr) && iface?.kind !== 'loopback' && !host.sysctl.ipv4Conf(dev, 'route_localnet', 'or'))
    return fail('EINVAL', 'loopback source on a non-loopback device (route_localnet off)');
  let type = resType;
  let withGateway = m !== undefined;
  if (isLimitedBroadcast4(daddr)) type = 'broadcast';
  else if (isMulticast4(daddr)) type = 'multicast';
  if (type === 'broadcast') withGateway = false;
  // A multicast destination routed by a short (e.g. default) route goes out without its gateway.
  if (type === 'multicast' && m && m.route.dst.prefixLen! < 4) withGateway = false;
  const gateway = withGateway && m ? gatewayOf(m) : undefined;
  return Object.freeze({
    ok: true,
    type,
    oif: dev,
    ...(gateway ? { gateway } : {}),
    ...(saddr ? { prefsrc: v4(saddr) } : {}),
    ...(m ? { route: m.route } : {}),
  });
}

/** Whether the device joined the multicast group: only the all-hosts group (joined while up) is known from a dump. */
function joinedGroup(host: Host, dev: string, group: number): boolean {
  return group === 0xe0000001 && host.interface(dev)?.up === true;
}

function forwarding(host: Host, dev: string): boolean {
  const own = `net.ipv4.conf.${dev}.forwarding`;
  return host.sysctl.has(own)
    ? host.sysctl.number(own) !== 0
    : host.sysctl.number('net.ipv4.ip_forward') !== 0;
}

function inputRoute(host: Host, daddr: number, iif: string, q: RouteQuery): RouteResult {
  const dev = host.interface(iif);
  if (!dev) return fail('ENODEV', `no device ${iif}`);
  const saddr = q.src ?? 0;
  const lo = loopbackName(host);
  const conf = (name: string) => host.sysctl.ipv4Conf(iif, name, 'or') !== 0;
  const local = (type: 'local' | 'broadcast' | 'multicast', route?: Route): RouteResult =>
    Object.freeze({ ok: true, type, oif: lo, ...(route ? { route } : {}) });

  if (isMulticast4(daddr)) {
    if (!joinedGroup(host, iif, daddr)) return fail('EINVAL', 'multicast group not joined on the device');
    // ip_route_input_mc's source checks.
    if (isMulticast4(saddr) || isLimitedBroadcast4(saddr)) return fail('EINVAL', 'martian source');
    if (isZeronet4(saddr) && !isLocalMulticast4(daddr)) return fail('EINVAL', 'martian source');
    if (isLoopback4(saddr) && !conf('route_localnet')) return fail('EINVAL', 'martian source (loopback)');
    if (saddr && !isZeronet4(saddr)) {
      const v = validateSource(host, saddr, dev.name, undefined, q.tos ?? 0);
      if (v) return v;
    }
    return local('multicast');
  }
  if (isMulticast4(saddr) || isLimitedBroadcast4(saddr)) return fail('EINVAL', 'martian source');
  if (isLimitedBroadcast4(daddr) || (saddr === 0 && daddr === 0))
    return broadcastInput(host, saddr, iif, lo, q);
  if (isZeronet4(saddr)) return fail('EINVAL', 'martian source (0.0.0.0)');
  if (isZeronet4(daddr)) return fail('EINVAL', 'martian destination (0.0.0.0)');
  if (isLoopback4(daddr)) {
    if (!conf('route_localnet')) return fail('EINVAL', 'martian destination (127/8, route_localnet off)');
  } else if (isLoopback4(saddr) && !conf('route_localnet'))
    return fail('EINVAL', 'martian source (127/8, route_localnet off)');

  const res = fibLookup(host, daddr, undefined, q.tos ?? 0);
  if (!res.ok) {
    if (!forwarding(host, iif)) return fail('EHOSTUNREACH', 'no route, and forwarding is off', res.type);
    return res;
  }
  const m = res.match;
  if (m.route.type === 'broadcast') {
    if (conf('bc_forwarding')) return forwardInput(host, saddr, daddr, iif, m, q);
    return broadcastInput(host, saddr, iif, lo, q, m.route);
  }
  if (m.route.type === 'local') {
    const v = validateSource(host, saddr, iif, undefined, q.tos ?? 0);
    return v ?? local('local', m.route);
  }
  if (!forwarding(host, iif)) return fail('EHOSTUNREACH', 'not local, and forwarding is off');
  if (m.route.type !== 'unicast') return fail('EINVAL', `martian destination (${m.route.type} route)`);
  return forwardInput(host, saddr, daddr, iif, m, q);
}

function broadcastInput(
  host: Host,
  saddr: number,
  iif: string,
  lo: string,
  q: RouteQuery,
  route?: Route,
): RouteResult {
  if (saddr && !isZeronet4(saddr)) {
    const v = validateSource(host, saddr, iif, undefined, q.tos ?? 0);
    if (v) return v;
  }
  return Object.freeze({ ok: true, type: 'broadcast', oif: lo, ...(route ? { route } : {}) });
}

function forwardInput(
  host: Host,
  saddr: number,
  _daddr: number,
  iif: string,
  m: FibMatch,
  q: RouteQuery,
): RouteResult {
  const v = validateSource(host, saddr, iif, m.dev, q.tos ?? 0);
  if (v) return v;
  const gateway = gatewayOf(m);
  return Object.freeze({
    ok: true,
    type: m.route.type === 'broadcast' ? 'broadcast' : 'unicast',
    oif: m.dev,
    ...(gateway ? { gateway } : {}),
    route: m.route,
  });
}

/**
 * fib_validate_source: a received packet's source must not be one of ours, and with rp_filter
 * (1 strict, 2 loose) the reverse route must exist (and, strict, lead back out of `iif`).
 * Returns the failure, or undefined when the source is acceptable.
 */
export function validateSource(
  host: Host,
  saddr: number,
  iif: string,
  oif: string | undefined,
  tos = 0,
): RouteFailed | undefined {
  const rpf = host.sysctl.ipv4Conf(iif, 'rp_filter', 'max');
  const acceptLocal = host.sysctl.ipv4Conf(iif, 'accept_local', 'or') !== 0;
  const redirects = host.sysctl.ipv4Conf(iif, 'send_redirects', 'or') !== 0;
  if (!rpf && (iif !== oif || !redirects)) {
    if (acceptLocal) return undefined;
    return interfaceOwning(host, saddr) !== undefined
      ? fail('EINVAL', 'martian source (a local address)')
      : undefined;
  }
  // Every reverse-path failure is a martian source, reported as EINVAL.
  const res = fibLookup(host, saddr, undefined, tos);
  const dev = host.interface(iif);
  const noAddr = !dev?.addresses.some((a) => a.family === 'ipv4');
  if (!res.ok) return rpf ? fail('EINVAL', 'martian source (rp_filter: no route back)') : undefined;
  const type = res.match.route.type;
  if (type !== 'unicast' && (type !== 'local' || !acceptLocal))
    return fail('EINVAL', 'martian source (not unicast)');
  if (res.match.dev === iif || (type === 'local' && dev?.kind === 'loopback')) return undefined;
  if (noAddr) return rpf ? fail('EINVAL', 'martian source (rp_filter: no route back)') : undefined;
  if (rpf === 1)
    return fail('EINVAL', 'martian source (strict rp_filter: the route back leaves by another device)');
  return undefined;
}
