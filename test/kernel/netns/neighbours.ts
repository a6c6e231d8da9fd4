// Static neighbours, so the host's emitted packets leave at once instead of waiting on ARP/ND
// (nobody in the peer namespaces answers): every gateway, and every address the trace or the
// ruleset names that is on-link on some interface, gets a permanent entry. Its MAC is the one
// the trace uses for that address (a frame from it), else the `neigh` JSON's, else the MAC of
// the peer end. Addresses missed here show up as ARP requests in KernelResult.linkControl.

import { inPrefix, isUnicast, parsePrefix } from './addresses.js';
import { decodeFrame } from './frame.js';
import type { HostLayout, HostSpec } from './host-spec.js';
import type { TracePacket } from './trace-io.js';

export interface StaticNeighbour {
  readonly dev: string;
  readonly ip: string;
  readonly mac: string;
}

interface OnLink {
  readonly dev: string;
  readonly net: string;
  readonly len: number;
}

/** Prefixes each L3 device reaches directly: its addresses and its gateway-less routes. */
function onLinkPrefixes(spec: HostSpec, l3: ReadonlySet<string>): OnLink[] {
  const out: OnLink[] = [];
  for (const link of spec.addr) {
    if (!l3.has(link.ifname)) continue;
    for (const a of link.addr_info ?? []) out.push({ dev: link.ifname, net: a.local, len: a.prefixlen });
  }
  for (const [routes, fam] of [
    [spec.route, 'inet'],
    [spec.route6 ?? [], 'inet6'],
  ] as const) {
    for (const r of routes) {
      if (r.gateway || !r.dev || !l3.has(r.dev) || (r.type && r.type !== 'unicast')) continue;
      const [net, len] = parsePrefix(r.dst, fam);
      out.push({ dev: r.dev, net, len });
    }
  }
  return out;
}

function onLinkDev(prefixes: readonly OnLink[], ip: string): string | undefined {
  let best: OnLink | undefined;
  for (const p of prefixes) if (inPrefix(ip, p.net, p.len) && (!best || p.len > best.len)) best = p;
  return best?.dev;
}

const IPV4_LITERAL = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d+))?/g;

/** Single addresses written in the ruleset (DNAT/SNAT targets, /32 matches). */
export function rulesetAddresses(rules: string): string[] {
  const out = new Set<string>();
  for (const m of rules.matchAll(IPV4_LITERAL)) if (m[2] === undefined || m[2] === '32') out.add(m[1]!);
  return [...out];
}

export interface NeighbourInput {
  readonly spec: HostSpec;
  readonly layout: HostLayout;
  readonly trace: readonly TracePacket[];
  readonly rules: string;
  /** MAC of the peer end behind each L3 device (a bridge: its first port's peer). */
  readonly peerMac: ReadonlyMap<string, string>;
}

export function staticNeighbours(input: NeighbourInput): StaticNeighbour[] {
  const { spec, layout, trace } = input;
  const l3 = new Set([...layout.links.map((l) => l.ifname), ...layout.bridges.keys()]);
  for (const ports of layout.ports.values()) for (const p of ports) l3.delete(p);
  const prefixes = onLinkPrefixes(spec, l3);
  const own = new Set(spec.addr.flatMap((l) => (l.addr_info ?? []).map((a) => a.local)));
  const broadcast = new Set(spec.addr.flatMap((l) => (l.addr_info ?? []).map((a) => a.broadcast ?? '')));

  const out = new Map<string, StaticNeighbour>();
  const add = (dev: string, ip: string, mac: string | undefined) => {
    if (!isUnicast(ip) || own.has(ip) || broadcast.has(ip) || !l3.has(dev)) return;
    const key = `${dev} ${ip}`;
    if (!out.has(key) && mac) out.set(key, { dev, ip, mac });
  };
  const l3Of = (ifName: string) => {
    for (const [b, ports] of layout.ports) if (ports.includes(ifName)) return b;
    return ifName;
  };

  // MACs the trace itself uses for on-link senders come first.
  for (const p of trace) {
    const f = decodeFrame(p.bytes);
    if (!f.src || (f.type !== 'ipv4' && f.type !== 'ipv6')) continue;
    const dev = l3Of(p.ifName);
    if (onLinkDev(prefixes, f.src) === dev) add(dev, f.src, f.srcMac);
  }
  for (const n of spec.neigh ?? []) add(l3Of(n.dev), n.dst, n.lladdr);
  const fallback = (ip: string, dev: string | undefined) => dev && add(dev, ip, input.peerMac.get(dev));
  for (const r of [...spec.route, ...(spec.route6 ?? [])]) if (r.gateway) fallback(r.gateway, r.dev);
  const candidates = new Set<string>(rulesetAddresses(input.rules));
  for (const p of trace) {
    const f = decodeFrame(p.bytes);
    if (f.src && f.dst && (f.type === 'ipv4' || f.type === 'ipv6')) candidates.add(f.src).add(f.dst);
  }
  for (const ip of candidates) fallback(ip, onLinkDev(prefixes, ip));
  return [...out.values()];
}
