// Compares routeLookup6 with what the kernel's `ip -6 route get` answered for the same query.

import { type Host, parseAddressText, type RouteResult, routeLookup6 } from '../../src/host/index.js';
import { formatAddress } from '../../src/ir/address.js';
import type { KernelRoute, RouteGetQuery } from '../kernel/host-oracle.js';
import { describeQuery } from './route-compare.js';

function words(text: string): readonly number[] {
  const a = parseAddressText(text, 'ipv6');
  if (!a) throw new Error(`not an IPv6 address: ${text}`);
  return a.words;
}

export function lookupLike6(host: Host, q: RouteGetQuery): RouteResult {
  return routeLookup6(host, words(q.dst), {
    ...(q.from !== undefined ? { src: words(q.from) } : {}),
    ...(q.iif !== undefined ? { iif: q.iif } : {}),
    ...(q.oif !== undefined ? { oif: q.oif } : {}),
    ...(q.mark !== undefined ? { mark: q.mark } : {}),
  });
}

/**
 * The answer in `ip -6 route get`'s terms: the kernel prints the selected source for every
 * output lookup, and for input lookups the route's own prefsrc (rt6_fill_node).
 */
export function asKernelRoute6(r: RouteResult, q: RouteGetQuery): KernelRoute {
  if (!r.ok) return { ok: false, errno: r.errno, message: '' };
  const src = q.iif === undefined ? r.prefsrc : r.route?.prefsrc;
  const prefsrc = src ? formatAddress('ipv6', src.words) : undefined;
  return {
    ok: true,
    type: r.type,
    dev: r.oif,
    ...(r.gateway ? { gateway: formatAddress('ipv6', r.gateway.words) } : {}),
    ...(prefsrc ? { prefsrc } : {}),
  };
}

function show(k: KernelRoute): string {
  if (!k.ok) return k.errno;
  return [k.type, `dev ${k.dev}`, k.gateway ? `via ${k.gateway}` : '', k.prefsrc ? `src ${k.prefsrc}` : '']
    .filter(Boolean)
    .join(' ');
}

/** Disagreements, one line each. */
export function compareLookups6(
  host: Host,
  cases: readonly { query: RouteGetQuery; kernel: KernelRoute }[],
): string[] {
  const diffs: string[] = [];
  for (const { query, kernel } of cases) {
    const ours = show(asKernelRoute6(lookupLike6(host, query), query));
    if (ours !== show(kernel)) diffs.push(`${describeQuery(query)}: kernel ${show(kernel)}, nfwasm ${ours}`);
  }
  return diffs;
}
