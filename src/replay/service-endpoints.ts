// The service side of DNAT'd connections, for connection-sharding.ts: the endpoints a client
// talks to — before DNAT (a rule's `-d` and `--dport` in front of DNAT: kube-proxy's cluster
// IP:port) and after (DNAT's --to-destination address:port: the pod or container). A packet with
// exactly one such endpoint is keyed on the other, the client's, which DNAT keeps: the client
// may itself be translatable (a pod that MASQUERADE rules also cover), which the address-based
// rule alone cannot tell apart from the service. IPv4; addresses and ports are enumerated only
// for small sets (256 addresses, 64 ports), wider ones match by address alone.

import type { IpNet } from '../ir/address.js';
import type { PortRange } from '../ir/common.js';
import type { Rule, Ruleset } from '../ir/ruleset.js';
import { rulesTowardsRewrite } from './nat-paths.js';

const MAX_ADDRESSES = 256;
const MAX_PORTS = 64;
const SIGN = 0x80000000 | 0;

/** Destination ports a rule's tcp/udp/multiport matches select (undefined: any, or too many). */
function destinationPorts(rule: Rule): PortRange[] | undefined {
  for (const m of rule.matches) {
    if ((m.kind === 'tcp' || m.kind === 'udp') && m.dport && !m.dport.invert) return [m.dport.value];
    if (m.kind === 'multiport' && m.direction === 'destination' && !m.invert) return [...m.ports];
  }
  return undefined;
}

function destinationNet(rule: Rule): IpNet | undefined {
  for (const m of rule.matches) if (m.kind === 'destination' && !m.invert) return m.net;
  return undefined;
}

export class ServiceEndpoints {
  /** Ports some address:port endpoint uses (a first test that spares most packets the set). */
  private readonly portUsed = new Uint8Array(65536);
  /** address * 65536 + port. */
  private readonly endpoints = new Set<number>();
  /** Address ranges (sign-flipped words) whose every port counts. */
  private readonly anyFrom: number[] = [];
  private readonly anyTo: number[] = [];

  constructor(ruleset: Ruleset) {
    if (ruleset.family !== 'ipv4') return;
    for (const r of rulesTowardsRewrite(ruleset, (kind) => kind === 'DNAT')) {
      const t = r.target!;
      const ports = destinationPorts(r);
      const net = destinationNet(r);
      if (net && net.prefixLen !== null && net.prefixLen >= 24) {
        const from = net.addr[0]! >>> 0;
        this.add(from, (from | (~(net.mask[0]! >>> 0) >>> 0)) >>> 0, ports);
      }
      if (t.kind === 'DNAT' && t.range.addresses) {
        const a = t.range.addresses.from[0]! >>> 0;
        const b = t.range.addresses.to[0]! >>> 0;
        // Without --to ports the port stays the one the rule matched.
        this.add(Math.min(a, b), Math.max(a, b), t.range.ports ? [t.range.ports] : ports);
      }
    }
  }

  private add(from: number, to: number, ports: readonly PortRange[] | undefined): void {
    const count = ports?.reduce((n, p) => n + p.to - p.from + 1, 0) ?? Number.POSITIVE_INFINITY;
    if (to - from + 1 > MAX_ADDRESSES || count > MAX_PORTS || !ports) {
      this.anyFrom.push(from ^ SIGN);
      this.anyTo.push(to ^ SIGN);
      return;
    }
    for (let a = from; a <= to; a++)
      for (const p of ports)
        for (let port = p.from; port <= p.to; port++) {
          this.portUsed[port] = 1;
          this.endpoints.add(a * 65536 + port);
        }
  }

  /**
   * The set as plain words, for the keying in WebAssembly (frame-keyer.ts): (address, port)
   * pairs, and (from, to) address ranges whose every port counts.
   */
  tables(): { endpoints: Uint32Array; any: Uint32Array } {
    const endpoints = new Uint32Array(this.endpoints.size * 2);
    let at = 0;
    for (const e of this.endpoints) {
      endpoints[at++] = Math.floor(e / 65536);
      endpoints[at++] = e % 65536;
    }
    const any = new Uint32Array(this.anyFrom.length * 2);
    this.anyFrom.forEach((from, i) => {
      any[2 * i] = (from ^ SIGN) >>> 0;
      any[2 * i + 1] = (this.anyTo[i]! ^ SIGN) >>> 0;
    });
    return { endpoints, any };
  }

  /** Whether IPv4 address `a` (a signed or unsigned word) and `port` are a service endpoint. */
  has(a: number, port: number): boolean {
    if (this.portUsed[port] === 1 && this.endpoints.has((a >>> 0) * 65536 + port)) return true;
    const x = a ^ SIGN;
    const from = this.anyFrom;
    for (let i = 0; i < from.length; i++) if (x >= from[i]! && x <= this.anyTo[i]!) return true;
    return false;
  }
}
