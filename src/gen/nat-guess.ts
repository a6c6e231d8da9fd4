// Where a flow's replies come from and go to after the host's NAT, guessed by walking nat
// PREROUTING (DNAT, REDIRECT) and nat POSTROUTING (SNAT, MASQUERADE) with the conditions the
// generator understands: addresses, interfaces, protocol, ports and addrtype. Other matches are
// taken to hold. A guess, not the engine: it only aims replies where the host will expect them.

import { addressType } from '../host/address-type.js';
import type { Host } from '../host/host.js';
import { addressesOf } from '../host/interfaces.js';
import type { Match } from '../ir/match.js';
import type { Chain, Rule, Ruleset } from '../ir/ruleset.js';
import type { Target } from '../ir/target.js';

export interface FlowTuple {
  readonly protocol: number;
  readonly src: number;
  readonly sport: number;
  readonly dst: number;
  readonly dport: number;
  readonly iif?: string;
  readonly oif?: string;
}

export interface NatRewrite {
  readonly addr: number;
  readonly port: number;
}

const inNet = (a: number, addr: readonly number[], mask: readonly number[]): boolean =>
  (a & mask[0]!) >>> 0 === addr[0];

const inPorts = (p: number, from: number, to: number): boolean => p >= from && p <= to;

function matchHolds(m: Match, t: FlowTuple, host: Host): boolean {
  const ports = t.protocol === 6 || t.protocol === 17;
  switch (m.kind) {
    case 'protocol':
      return (m.protocol === t.protocol) !== m.invert;
    case 'source':
      return inNet(t.src, m.net.addr, m.net.mask) !== m.invert;
    case 'destination':
      return inNet(t.dst, m.net.addr, m.net.mask) !== m.invert;
    case 'in-interface':
    case 'out-interface': {
      const name = m.kind === 'in-interface' ? t.iif : t.oif;
      if (name === undefined) return true;
      const hit = m.wildcard ? name.startsWith(m.name) : name === m.name;
      return hit !== m.invert;
    }
    case 'tcp':
    case 'udp':
      if (!ports || (m.kind === 'tcp') !== (t.protocol === 6)) return false;
      if (m.dport && inPorts(t.dport, m.dport.value.from, m.dport.value.to) === m.dport.invert) return false;
      if (m.sport && inPorts(t.sport, m.sport.value.from, m.sport.value.to) === m.sport.invert) return false;
      return true;
    case 'multiport': {
      if (!ports) return false;
      const test = (p: number): boolean => m.ports.some((r) => inPorts(p, r.from, r.to));
      const hit =
        m.direction === 'source'
          ? test(t.sport)
          : m.direction === 'destination'
            ? test(t.dport)
            : test(t.sport) || test(t.dport);
      return hit !== m.invert;
    }
    case 'addrtype': {
      if (!m.destination) return true;
      const type = addressType(host, { family: 'ipv4', words: [t.dst] });
      return m.destination.value.includes(type) !== m.destination.invert;
    }
    default:
      return true;
  }
}

type Walk = { readonly kind: 'target'; readonly target: Target } | { readonly kind: 'none' };

/** The first NAT target a walk from `chain` reaches (jumps followed, RETURN honoured). */
function walk(
  chains: ReadonlyMap<string, Chain>,
  chain: Chain,
  t: FlowTuple,
  host: Host,
  depth: number,
): Walk {
  if (depth > 32) return { kind: 'none' };
  for (const rule of chain.rules as readonly Rule[]) {
    if (!rule.target || !rule.matches.every((m) => matchHolds(m, t, host))) continue;
    const target = rule.target;
    if (target.kind === 'jump' || target.kind === 'goto') {
      const next = chains.get(target.chain);
      const r = next ? walk(chains, next, t, host, depth + 1) : ({ kind: 'none' } as const);
      if (r.kind === 'target' || target.kind === 'goto') return r;
      continue;
    }
    if (target.kind === 'RETURN') return { kind: 'none' };
    if (['ACCEPT', 'DROP', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP'].includes(target.kind))
      return { kind: 'target', target };
  }
  return { kind: 'none' };
}

function natTarget(ruleset: Ruleset, hook: string, t: FlowTuple, host: Host): Target | undefined {
  const nat = ruleset.tables.find((x) => x.name === 'nat');
  if (!nat) return undefined;
  const chains = new Map(nat.chains.map((c) => [c.name, c]));
  const base = nat.chains.find((c) => c.base?.hook === hook);
  if (!base) return undefined;
  const r = walk(chains, base, t, host, 0);
  return r.kind === 'target' ? r.target : undefined;
}

/** The address a packet arriving on `iif` is redirected to (its first IPv4 address). */
function primaryAddress(host: Host, dev: string | undefined): number | undefined {
  const iface = dev === undefined ? undefined : host.interface(dev);
  return iface ? addressesOf(iface, 'ipv4')[0]?.words[0] : undefined;
}

/** The destination after nat PREROUTING (DNAT's first address and port, REDIRECT's host address). */
export function guessDnat(ruleset: Ruleset, host: Host, t: FlowTuple): NatRewrite | undefined {
  const target = natTarget(ruleset, 'prerouting', t, host);
  if (!target) return undefined;
  if (target.kind === 'DNAT') {
    const addr = target.range.addresses?.from[0] ?? t.dst;
    return { addr: addr >>> 0, port: target.range.ports?.from ?? t.dport };
  }
  if (target.kind === 'REDIRECT') {
    const addr = primaryAddress(host, t.iif) ?? 0x7f000001;
    return { addr, port: target.range.ports?.from ?? t.dport };
  }
  return undefined;
}

/** The source after nat POSTROUTING (SNAT's first address, MASQUERADE's egress address). */
export function guessSnat(ruleset: Ruleset, host: Host, t: FlowTuple): NatRewrite | undefined {
  const target = natTarget(ruleset, 'postrouting', t, host);
  if (!target) return undefined;
  if (target.kind === 'SNAT') {
    const addr = target.range.addresses?.from[0] ?? t.src;
    // The kernel keeps the source port when it is in the range (and does not clash).
    const ports = target.range.ports;
    return {
      addr: addr >>> 0,
      port: ports && !inPorts(t.sport, ports.from, ports.to) ? ports.from : t.sport,
    };
  }
  if (target.kind === 'MASQUERADE') {
    const addr = primaryAddress(host, t.oif);
    return addr === undefined ? undefined : { addr, port: t.sport };
  }
  return undefined;
}
