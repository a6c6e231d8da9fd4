// The kernel's forwarding information base as far as a host dump shows it: the `main` table
// from `ip -j route show` (and `-6`), plus the `local` table the kernel builds by itself from
// interface addresses (fib_add_ifaddr), which `ip route show` does not print.
//
// IPv4 `local` table, per address (kernel 5.14+ behaviour, checked against this kernel):
// - `local ADDR/32`, scope host, prefsrc the subnet's primary address, even when the device
//   is down;
// - only when the device is up: `broadcast BRD/32` for an explicit `brd`, and for a primary
//   address whose subnet is not 0.0.0.0/LEN and not a /32 host route: `broadcast NET|~MASK/32` when the
//   prefix is shorter than /31 (the network address itself stopped being a broadcast route in
//   5.14), and on a loopback device `local NET/LEN` (127.0.0.0/8 on lo).
// The IPv6 `local` table is local-table6.ts's.

import { type Family, formatAddress, type IpNet, netFromPrefix } from '../ir/address.js';
import type { AddressType } from '../ir/matches/addrtype.js';
import type { HostInterface, InterfaceAddress } from './interfaces.js';
import { type Address, parseAddressText, parsePrefixText } from './ip-text.js';
import type { JsonAt } from './json-reader.js';
import { parseScope, SCOPE } from './scope.js';

export type RouteType = AddressType;

export interface NextHop {
  readonly dev?: string;
  readonly gateway?: Address;
  readonly weight: number;
  /** `dead` / `linkdown` nexthops are skipped by lookups. */
  readonly flags: readonly string[];
}

export interface Route {
  readonly family: Family;
  /** `local`, `main`, `default` or a table number as text. */
  readonly table: string;
  readonly type: RouteType;
  readonly dst: IpNet;
  readonly tos: number;
  readonly metric: number;
  readonly scope: number;
  readonly prefsrc?: Address;
  readonly nexthops: readonly NextHop[];
  readonly protocol?: string;
  /** Whether the kernel made it from an interface address rather than the dump listing it. */
  readonly synthesized: boolean;
  readonly flags: readonly string[];
  /** IPv6 router preference (`pref`, RFC 4191): ranks routes of equal metric (rt6_score_route). */
  readonly pref?: 'low' | 'medium' | 'high';
}

const ROUTE_TYPES: readonly RouteType[] = [
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
];

const PREFS = ['low', 'medium', 'high'] as const;

function parseNextHop(at: JsonAt, family: Family): NextHop {
  const gw = at
    .field('gateway')
    .optional((g) => parseAddressText(g.string(), family) ?? g.fail(`a gateway address`));
  // `via inet6 ...` (RFC 5549 style) prints {"via": {"family": ..., "host": ...}}.
  const via = at
    .field('via')
    .optional(
      (v) => parseAddressText(v.object().field('host').string()) ?? v.field('host').fail('an address'),
    );
  const gateway = gw ?? via;
  const dev = at.field('dev').optional((d) => d.string());
  return Object.freeze({
    ...(dev !== undefined ? { dev } : {}),
    ...(gateway ? { gateway } : {}),
    weight: at.field('weight').optional((w) => w.uint()) ?? 1,
    flags: Object.freeze(at.field('flags').optional((f) => f.array().map((x) => x.string())) ?? []),
  });
}

export function parseRoute(at: JsonAt, family: Family): Route {
  at.object();
  const typeText = at.field('type').optional((t) => t.string()) ?? 'unicast';
  if (!ROUTE_TYPES.includes(typeText as RouteType))
    at.field('type').fail(`a route type (${ROUTE_TYPES.join(', ')})`);
  const type = typeText as RouteType;
  const dstAt = at.field('dst');
  const dst = parsePrefixText(dstAt.string(), family) ?? dstAt.fail(`\`default\` or an ${family} prefix`);
  const multipath = at.field('nexthops').optional((n) => n.array().map((h) => parseNextHop(h, family)));
  const single = parseNextHop(at, family);
  const nexthops = multipath ?? (single.dev !== undefined || single.gateway ? [single] : []);
  const scopeAt = at.field('scope');
  const scope = scopeAt.present ? (parseScope(scopeAt.string()) ?? scopeAt.fail('a scope name')) : undefined;
  const prefsrc = at
    .field('prefsrc')
    .optional((p) => parseAddressText(p.string(), family) ?? p.fail('an address'));
  const protocol = at.field('protocol').optional((p) => p.string());
  const prefAt = at.field('pref');
  const pref = prefAt.present
    ? (PREFS.find((p) => p === prefAt.string()) ?? prefAt.fail('a route preference (low, medium, high)'))
    : undefined;
  const tosAt = at.field('tos');
  const tos = tosAt.present
    ? typeof tosAt.value === 'number'
      ? tosAt.uint(255)
      : Number.parseInt(tosAt.string().replace(/^0x/, ''), 16)
    : 0;
  const table = at
    .field('table')
    .optional((t) => (typeof t.value === 'number' ? String(t.uint()) : t.string()));
  return Object.freeze({
    family,
    table: table ?? 'main',
    type,
    dst,
    tos: Number.isNaN(tos) ? tosAt.fail('a TOS value') : tos,
    metric: at.field('metric').optional((m) => m.uint()) ?? 0,
    // The dump prints every scope but global (0), the kernel's default for gatewayed routes.
    scope: scope ?? SCOPE.global,
    ...(prefsrc ? { prefsrc } : {}),
    nexthops: Object.freeze(nexthops),
    ...(protocol !== undefined ? { protocol } : {}),
    synthesized: false,
    flags: Object.freeze(at.field('flags').optional((f) => f.array().map((x) => x.string())) ?? []),
    ...(pref ? { pref } : {}),
  });
}

export function kernelRoute(
  family: Family,
  type: RouteType,
  dst: IpNet,
  dev: string,
  scope: number,
  prefsrc: Address | undefined,
): Route {
  return Object.freeze({
    family,
    table: 'local',
    type,
    dst,
    tos: 0,
    metric: family === 'ipv6' && type === 'multicast' ? 256 : 0,
    scope,
    ...(prefsrc ? { prefsrc } : {}),
    nexthops: Object.freeze([Object.freeze({ dev, weight: 1, flags: Object.freeze([]) })]),
    protocol: 'kernel',
    synthesized: true,
    flags: Object.freeze([]),
  });
}

/** The primary address a secondary one hangs off (inet_ifa_byprefix): same subnet, same mask. */
function primaryOf(iface: HostInterface, a: InterfaceAddress): InterfaceAddress {
  if (!a.secondary) return a;
  const mask = netFromPrefix('ipv4', a.words, a.prefixLen);
  return (
    iface.addresses.find(
      (p) =>
        p.family === 'ipv4' &&
        !p.secondary &&
        p.prefixLen === a.prefixLen &&
        netFromPrefix('ipv4', p.words, p.prefixLen).addr[0] === mask.addr[0],
    ) ?? a
  );
}

/** The routes fib_add_ifaddr puts into the IPv4 local table (IPv6: local-table6.ts). */
export function localTableRoutes(interfaces: readonly HostInterface[]): Route[] {
  const routes: Route[] = [];
  for (const iface of interfaces) {
    for (const a of iface.addresses) {
      if (a.family === 'ipv6') continue;
      const prim = primaryOf(iface, a);
      const src = { family: 'ipv4' as const, words: prim.words };
      routes.push(
        kernelRoute('ipv4', 'local', netFromPrefix('ipv4', a.words, 32), iface.name, SCOPE.host, src),
      );
      if (!iface.up) continue;
      const bcast = a.broadcast?.words[0];
      if (bcast !== undefined && bcast !== 0 && bcast !== 0xffffffff)
        routes.push(
          kernelRoute('ipv4', 'broadcast', netFromPrefix('ipv4', [bcast], 32), iface.name, SCOPE.link, src),
        );
      // Routes derive from the subnet of the address (the peer's for point-to-point addresses).
      const base = a.peer?.words[0] ?? a.words[0]!;
      const net = netFromPrefix('ipv4', [base], a.prefixLen);
      const prefix = net.addr[0]!;
      if (prefix === 0 || a.secondary || (prefix === a.words[0] && a.prefixLen === 32)) continue;
      if (iface.kind === 'loopback' && !a.noPrefixRoute)
        routes.push(kernelRoute('ipv4', 'local', net, iface.name, SCOPE.host, src));
      if (a.prefixLen < 31) {
        const broadcast = (prefix | ~net.mask[0]!) >>> 0;
        routes.push(
          kernelRoute(
            'ipv4',
            'broadcast',
            netFromPrefix('ipv4', [broadcast], 32),
            iface.name,
            SCOPE.link,
            src,
          ),
        );
      }
    }
  }
  // The kernel keeps one route per key: two addresses may yield the same broadcast route.
  const seen = new Set<string>();
  return routes.filter((r) => {
    const key = `${r.family} ${r.type} ${formatAddress(r.family, r.dst.addr)}/${r.dst.prefixLen} ${r.nexthops[0]!.dev}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
