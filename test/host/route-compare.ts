// Compares routeLookup with what the kernel's `ip route get` answered for the same query.

import { type Host, parseAddressText, type RouteResult, routeLookup } from '../../src/host/index.js';
import { formatAddress } from '../../src/ir/address.js';
import type { KernelRoute, RouteGetQuery } from '../kernel/host-oracle.js';

function word(text: string): number {
  const a = parseAddressText(text, 'ipv4');
  if (!a) throw new Error(`not an IPv4 address: ${text}`);
  return a.words[0]!;
}

export function lookupLike(host: Host, q: RouteGetQuery): RouteResult {
  return routeLookup(host, word(q.dst), {
    ...(q.from !== undefined ? { src: word(q.from) } : {}),
    ...(q.iif !== undefined ? { iif: q.iif } : {}),
    ...(q.oif !== undefined ? { oif: q.oif } : {}),
    ...(q.mark !== undefined ? { mark: q.mark } : {}),
  });
}

/** The kernel's answer in `ip route get`'s terms, as nfwasm would print it. */
export function asKernelRoute(r: RouteResult, q: RouteGetQuery): KernelRoute {
  if (!r.ok) return { ok: false, errno: r.errno, message: '' };
  // ip route get prints prefsrc only for output lookups, and only when it differs from `from`.
  const prefsrc =
    q.iif === undefined &&
    r.prefsrc &&
    (q.from === undefined || formatAddress('ipv4', r.prefsrc.words) !== q.from)
      ? formatAddress('ipv4', r.prefsrc.words)
      : undefined;
  return {
    ok: true,
    type: r.type,
    dev: r.oif,
    ...(r.gateway ? { gateway: formatAddress('ipv4', r.gateway.words) } : {}),
    ...(prefsrc ? { prefsrc } : {}),
  };
}

export function describeQuery(q: RouteGetQuery): string {
  return [
    `get ${q.dst}`,
    q.from !== undefined ? `from ${q.from}` : '',
    q.iif !== undefined ? `iif ${q.iif}` : '',
    q.oif !== undefined ? `oif ${q.oif}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function show(k: KernelRoute): string {
  if (!k.ok) return k.errno;
  return [k.type, `dev ${k.dev}`, k.gateway ? `via ${k.gateway}` : '', k.prefsrc ? `src ${k.prefsrc}` : '']
    .filter(Boolean)
    .join(' ');
}

/** Disagreements, one line each. */
export function compareLookups(
  host: Host,
  cases: readonly { query: RouteGetQuery; kernel: KernelRoute }[],
): string[] {
  const diffs: string[] = [];
  for (const { query, kernel } of cases) {
    const ours = asKernelRoute(lookupLike(host, query), query);
    const k = kernel.ok ? kernel : { ok: false as const, errno: kernel.errno, message: '' };
    if (show(ours) !== show(k))
      diffs.push(`${describeQuery(query)}: kernel ${show(k)}, nfwasm ${show(ours)}`);
  }
  return diffs;
}
