// The kernel's IPv6 FIB lookup (net/ipv6/route.c, ip6_fib.c) over a host's routes.
//
// - fib6_rule_lookup without custom rules: the `local` table, then `main` (a `throw` route, or
//   nothing, in one moves on; an empty result in both is ip6_null_entry, ENETUNREACH).
// - fib6_table_lookup: the longest prefix holding routes (fib6_node_lookup), then rt6_select among
//   its routes; when none qualifies, fib6_backtrack to the next shorter prefix.
// - rt6_select / find_rr_leaf: routes of the lowest metric first, the rest only when none of those
//   qualifies; each next hop scored by rt6_score_route: 2 when on the wanted device (or none is
//   wanted, rt6_check_dev), plus the router preference (high 3, medium 2, low 1) shifted by two.
//   With RT6_LOOKUP_F_IFACE (strict) a next hop on another device is out. The first best score
//   wins, so equal routes keep the dump's order (the kernel's leaf order).
// - Reject routes (blackhole, unreachable, prohibit, throw) sit on `lo`, so a strict lookup on
//   another device passes over them.
// Neighbour reachability (RT6_LOOKUP_F_REACHABLE when forwarding is off) is not modelled: the
// host file has no neighbour states, and without them the kernel scores every gateway alike.

import type { Route } from './fib.js';
import type { Host } from './host.js';
import { inNet } from './ip-text.js';

export interface Fib6Choice {
  readonly route: Route;
  /** The next hop's device (`lo` for reject routes without one). */
  readonly dev: string;
  readonly gateway?: Route['nexthops'][number]['gateway'];
}

const PREF_SCORE = { low: 1, medium: 2, high: 3 } as const;

function candidates(host: Host, table: string, dst: readonly number[]): Route[][] {
  const byLen = new Map<number, Route[]>();
  for (const r of host.routes) {
    if (r.family !== 'ipv6' || r.table !== table || !inNet(r.dst, dst)) continue;
    const len = r.dst.prefixLen!;
    byLen.set(len, [...(byLen.get(len) ?? []), r]);
  }
  return [...byLen.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([, routes]) =>
      routes.map((r, i) => ({ r, i })).sort((a, b) => a.r.metric - b.r.metric || a.i - b.i),
    )
    .map((list) => list.map(({ r }) => r));
}

/** find_match over some routes: the first with the best score, or undefined. */
function bestOf(
  host: Host,
  routes: readonly Route[],
  oif: string | undefined,
  strict: boolean,
): Fib6Choice | undefined {
  let best: Fib6Choice | undefined;
  let mpri = -1;
  for (const route of routes) {
    if (route.flags.includes('dead')) continue;
    const hops = route.nexthops.length > 0 ? route.nexthops : [{ dev: 'lo', weight: 1, flags: [] }];
    for (const nh of hops) {
      if (nh.flags.includes('dead')) continue;
      const dev = nh.dev ?? loopbackName(host);
      let m = oif === undefined || dev === oif ? 2 : 0;
      if (m === 0 && strict) continue;
      m |= PREF_SCORE[route.pref ?? 'medium'] << 2;
      if (m > mpri) {
        mpri = m;
        best = { route, dev, ...(nh.gateway ? { gateway: nh.gateway } : {}) };
      }
      // Siblings of a multipath route share its score; fib6_select_path hashes among them.
      break;
    }
  }
  return best;
}

/** rt6_select on one node's routes (sorted by metric). */
function select(
  host: Host,
  routes: readonly Route[],
  oif: string | undefined,
  strict: boolean,
): Fib6Choice | undefined {
  const metric = routes[0]?.metric;
  const first = routes.filter((r) => r.metric === metric);
  return bestOf(host, first, oif, strict) ?? bestOf(host, routes.slice(first.length), oif, strict);
}

/** fib6_table_lookup: the route one table gives, or undefined (fib6_null_entry). */
export function fib6Table(
  host: Host,
  table: string,
  dst: readonly number[],
  oif: string | undefined,
  strict: boolean,
): Fib6Choice | undefined {
  for (const node of candidates(host, table, dst)) {
    const choice = select(host, node, oif, strict);
    if (choice) return choice;
  }
  return undefined;
}

/** fib6_rule_lookup without policy rules: local, then main; a throw route falls through. */
export function fib6Lookup(
  host: Host,
  dst: readonly number[],
  oif: string | undefined,
  strict: boolean,
): Fib6Choice | undefined {
  for (const table of ['local', 'main']) {
    const choice = fib6Table(host, table, dst, oif, strict);
    if (choice && choice.route.type !== 'throw') return choice;
  }
  return undefined;
}

export function loopbackName(host: Host): string {
  return host.interfaces.find((i) => i.kind === 'loopback')?.name ?? 'lo';
}
