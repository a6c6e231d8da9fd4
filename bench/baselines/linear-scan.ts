// The baseline a user would write without nfwasm: the ruleset's chains as arrays of plain rule
// objects, and per packet a loop over the rules testing each field, first match wins (jumps and
// gotos recurse, RETURN pops). Headers are decoded from the IP bytes in JavaScript on every
// call. No indexes, no compilation: what `for (const rule of rules) if (matches(rule, p)) ...`
// costs.
//
// Understands the matches the benchmark scenarios use (addresses, protocol, interfaces, tcp/udp
// ports, multiport, conntrack state, comment); anything else is refused when the rules are read.

import type { Match } from '../../src/ir/match.js';
import type { Chain, Ruleset, TableName } from '../../src/ir/ruleset.js';

/** Result codes: ACCEPT, DROP, or a rule whose target the baseline does not run (NAT, MARK, ...). */
export const LINEAR_ACCEPT = 1;
export const LINEAR_DROP = 2;
export const LINEAR_OTHER_TARGET = 3;

type Action = 'accept' | 'drop' | 'return' | 'jump' | 'goto' | 'other' | 'none';

interface PortTest {
  readonly lo: number;
  readonly hi: number;
  readonly invert: boolean;
}

interface LinearRule {
  src?: { addr: number; mask: number; invert: boolean };
  dst?: { addr: number; mask: number; invert: boolean };
  proto?: { value: number; invert: boolean };
  iif?: { name: string; prefix: boolean; invert: boolean };
  oif?: { name: string; prefix: boolean; invert: boolean };
  /** Ports of -m tcp / -m udp: also requires that protocol and a first fragment. */
  l4proto?: number;
  sport?: PortTest;
  dport?: PortTest;
  multiport: { direction: 'source' | 'destination' | 'either'; ranges: PortTest[]; invert: boolean }[];
  ctstate?: { states: string[]; invert: boolean };
  action: Action;
  /** Target chain (jump/goto). */
  chain: number;
}

interface Header {
  src: number;
  dst: number;
  proto: number;
  sport: number;
  dport: number;
  hasPorts: boolean;
}

function interfaceMatches(t: { name: string; prefix: boolean; invert: boolean }, name: string): boolean {
  const hit = t.prefix ? name.startsWith(t.name) : name === t.name;
  return hit !== t.invert;
}

function inRange(t: PortTest, port: number): boolean {
  return (port >= t.lo && port <= t.hi) !== t.invert;
}

export class LinearScanClassifier {
  private readonly chains: LinearRule[][] = [];
  private readonly policies: number[] = [];
  private readonly names = new Map<string, number>();
  private readonly header: Header = { src: 0, dst: 0, proto: 0, sport: 0, dport: 0, hasPorts: false };

  /** `ctState`: the conntrack state every packet is taken to have (the benchmarks use new). */
  constructor(
    ruleset: Ruleset,
    tableName: TableName,
    private readonly ctState = 'new',
  ) {
    const table = ruleset.tables.find((t) => t.name === tableName);
    if (!table) throw new Error(`linear scan: no table ${tableName}`);
    for (const [i, c] of table.chains.entries()) this.names.set(c.name, i);
    for (const chain of table.chains) {
      this.chains.push(chain.rules.map((r) => this.rule(r.matches, r.target, chain)));
      this.policies.push(chain.base?.policy === 'DROP' ? LINEAR_DROP : LINEAR_ACCEPT);
    }
  }

  chainIndex(name: string): number {
    const i = this.names.get(name);
    if (i === undefined) throw new Error(`linear scan: no chain ${name}`);
    return i;
  }

  private rule(
    matches: readonly Match[],
    target: Chain['rules'][number]['target'],
    chain: Chain,
  ): LinearRule {
    const r: LinearRule = { multiport: [], action: 'none', chain: -1 };
    for (const m of matches) {
      switch (m.kind) {
        case 'source':
          r.src = { addr: m.net.addr[0]!, mask: m.net.mask[0]!, invert: m.invert };
          break;
        case 'destination':
          r.dst = { addr: m.net.addr[0]!, mask: m.net.mask[0]!, invert: m.invert };
          break;
        case 'protocol':
          r.proto = { value: m.protocol, invert: m.invert };
          break;
        case 'in-interface':
          r.iif = { name: m.name, prefix: m.wildcard, invert: m.invert };
          break;
        case 'out-interface':
          r.oif = { name: m.name, prefix: m.wildcard, invert: m.invert };
          break;
        case 'tcp':
        case 'udp':
          if ('flags' in m && m.flags) throw new Error('linear scan: tcp flags are not supported');
          r.l4proto = m.kind === 'tcp' ? 6 : 17;
          if (m.sport) r.sport = { lo: m.sport.value.from, hi: m.sport.value.to, invert: m.sport.invert };
          if (m.dport) r.dport = { lo: m.dport.value.from, hi: m.dport.value.to, invert: m.dport.invert };
          break;
        case 'multiport':
          r.multiport.push({
            direction: m.direction,
            ranges: m.ports.map((p) => ({ lo: p.from, hi: p.to, invert: false })),
            invert: m.invert,
          });
          break;
        case 'conntrack':
          if (!m.state || Object.keys(m).some((k) => k !== 'kind' && k !== 'state'))
            throw new Error('linear scan: only conntrack --ctstate is supported');
          r.ctstate = { states: [...m.state.value], invert: m.state.invert };
          break;
        case 'comment':
          break;
        default:
          throw new Error(`linear scan: match ${m.kind} is not supported (chain ${chain.name})`);
      }
    }
    if (target === null) r.action = 'none';
    else if (target.kind === 'ACCEPT') r.action = 'accept';
    else if (target.kind === 'DROP') r.action = 'drop';
    else if (target.kind === 'RETURN') r.action = 'return';
    else if (target.kind === 'jump' || target.kind === 'goto') {
      r.action = target.kind;
      r.chain = this.names.get(target.chain) ?? -1;
    } else r.action = 'other';
    return r;
  }

  private decode(b: Uint8Array): boolean {
    if (b.length < 20 || b[0]! >> 4 !== 4) return false;
    const ihl = (b[0]! & 15) * 4;
    const h = this.header;
    h.src = ((b[12]! << 24) | (b[13]! << 16) | (b[14]! << 8) | b[15]!) >>> 0;
    h.dst = ((b[16]! << 24) | (b[17]! << 16) | (b[18]! << 8) | b[19]!) >>> 0;
    h.proto = b[9]!;
    const firstFragment = ((b[6]! & 0x1f) | b[7]!) === 0;
    h.hasPorts = firstFragment && b.length >= ihl + 4;
    h.sport = h.hasPorts ? (b[ihl]! << 8) | b[ihl + 1]! : 0;
    h.dport = h.hasPorts ? (b[ihl + 2]! << 8) | b[ihl + 3]! : 0;
    return true;
  }

  private matches(r: LinearRule, h: Header, iif: string, oif: string): boolean {
    if (r.src && ((h.src & r.src.mask) >>> 0 === r.src.addr) === r.src.invert) return false;
    if (r.dst && ((h.dst & r.dst.mask) >>> 0 === r.dst.addr) === r.dst.invert) return false;
    if (r.proto && (h.proto === r.proto.value) === r.proto.invert) return false;
    if (r.iif && !interfaceMatches(r.iif, iif)) return false;
    if (r.oif && !interfaceMatches(r.oif, oif)) return false;
    if (r.l4proto !== undefined) {
      if (h.proto !== r.l4proto || !h.hasPorts) return false;
      if (r.sport && !inRange(r.sport, h.sport)) return false;
      if (r.dport && !inRange(r.dport, h.dport)) return false;
    }
    for (const mp of r.multiport) {
      if (!h.hasPorts) return false;
      let hit = false;
      for (const range of mp.ranges) {
        if (mp.direction !== 'destination' && inRange(range, h.sport)) hit = true;
        if (mp.direction !== 'source' && inRange(range, h.dport)) hit = true;
      }
      if (hit === mp.invert) return false;
    }
    if (r.ctstate && r.ctstate.states.includes(this.ctState) === r.ctstate.invert) return false;
    return true;
  }

  /** First match from base chain `chain`: LINEAR_ACCEPT, LINEAR_DROP or LINEAR_OTHER_TARGET. */
  classify(bytes: Uint8Array, chain: number, iif: string | null, oif: string | null): number {
    if (!this.decode(bytes)) return LINEAR_DROP;
    return this.walk(chain, this.header, iif ?? '', oif ?? '', chain);
  }

  private walk(chain: number, h: Header, iif: string, oif: string, base: number): number {
    const rules = this.chains[chain]!;
    for (const r of rules) {
      if (!this.matches(r, h, iif, oif)) continue;
      switch (r.action) {
        case 'none':
          continue;
        case 'accept':
          return LINEAR_ACCEPT;
        case 'drop':
          return LINEAR_DROP;
        case 'other':
          return LINEAR_OTHER_TARGET;
        case 'return':
          return chain === base ? this.policies[base]! : 0;
        case 'goto':
          return this.walk(r.chain, h, iif, oif, base) || (chain === base ? this.policies[base]! : 0);
        case 'jump': {
          const v = this.walk(r.chain, h, iif, oif, base);
          if (v !== 0) return v;
          continue;
        }
      }
    }
    // Off the end: a user chain returns to its caller (0), a base chain applies its policy.
    return chain === base ? this.policies[base]! : 0;
  }
}
