// Random packets aimed at a ruleset: addresses, ports, interfaces and marks are drawn mostly from
// the values its rules test (so rules match, fail and hotdrop often), with connection states,
// fragments, truncated transport headers and odd protocols mixed in.

import type { CtEntryView, CtView } from '../../src/engine/reference/match-context.js';
import type { EnginePacket } from '../../src/engine/reference/packet.js';
import { type Family, formatAddress } from '../../src/ir/address.js';
import type { Ruleset } from '../../src/ir/ruleset.js';
import { parsePacketSpec } from '../../src/wire/packet-text.js';
import { seededRandom } from '../engine/fake-context.js';

interface Pools {
  readonly addrs: number[][];
  readonly ports: number[];
  readonly ifaces: string[];
  readonly marks: number[];
}

function poolsOf(ruleset: Ruleset): Pools {
  const addrs: number[][] = [];
  const ports = new Set<number>([0, 22, 53, 80, 443, 1024, 65535]);
  const ifaces = new Set<string>(['eth0', 'lo', 'docker0']);
  const marks = new Set<number>([0, 1, 0x4000]);
  const words = ruleset.family === 'ipv4' ? 1 : 4;
  for (const t of ruleset.tables)
    for (const c of t.chains)
      for (const r of c.rules)
        for (const m of r.matches) {
          if (m.kind === 'source' || m.kind === 'destination') addrs.push([...m.net.addr]);
          else if (m.kind === 'in-interface' || m.kind === 'out-interface')
            ifaces.add(m.wildcard ? `${m.name}${m.name.length % 3}` : m.name);
          else if (m.kind === 'tcp' || m.kind === 'udp') {
            for (const p of [m.sport, m.dport]) if (p) ports.add(p.value.from).add(p.value.to);
          } else if (m.kind === 'multiport') for (const p of m.ports) ports.add(p.from).add(p.to);
          else if (m.kind === 'mark' || m.kind === 'connmark') marks.add(m.mark.value.value);
          else if (m.kind === 'iprange') {
            for (const x of [m.source, m.destination]) if (x) addrs.push([...x.value.from], [...x.value.to]);
          }
        }
  if (addrs.length === 0) addrs.push(new Array(words).fill(0x0a000001));
  return {
    addrs: addrs.filter((a) => a.length === words),
    ports: [...ports],
    ifaces: [...ifaces],
    marks: [...marks],
  };
}

export class PacketGenerator {
  private readonly rnd: () => number;
  private readonly pools: Pools;
  private readonly family: Family;
  private time = 0n;

  constructor(ruleset: Ruleset, seed: number) {
    this.rnd = seededRandom(seed);
    this.pools = poolsOf(ruleset);
    this.family = ruleset.family;
  }

  private below(n: number): number {
    return this.rnd() % n;
  }
  private chance(p: number): boolean {
    return this.rnd() / 0x1_0000_0000 < p;
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)]!;
  }

  private address(): string {
    const words = this.family === 'ipv4' ? 1 : 4;
    let a = this.chance(0.8)
      ? [...this.pick(this.pools.addrs)]
      : Array.from({ length: words }, () => this.rnd());
    // Sometimes a host inside the network rather than its first address.
    if (this.chance(0.3)) a = a.map((w, i) => (i === words - 1 ? (w ^ this.below(256)) >>> 0 : w));
    const text = formatAddress(this.family, a);
    return this.family === 'ipv6' ? `[${text}]` : text;
  }

  private port(): number {
    return this.chance(0.8) ? this.pick(this.pools.ports) : this.below(65536);
  }

  packet(): { packet: EnginePacket; ct: CtView } {
    const proto = this.pick(['tcp', 'tcp', 'udp', 'icmp'] as const);
    const icmp = this.family === 'ipv4' ? 'icmp' : 'icmpv6';
    const words: string[] = [];
    if (proto === 'icmp') {
      const a = this.address();
      const b = this.address();
      const strip = (s: string) => s.replace(/^\[|\]$/g, '');
      words.push(icmp, strip(a), '>', strip(b), 'type', String(this.pick([0, 3, 8, 11, 128, 129, 255])));
      words.push('code', String(this.below(4)));
    } else {
      words.push(proto, `${this.address()}:${this.port()}`, '>', `${this.address()}:${this.port()}`);
      if (proto === 'tcp') words.push('flags', this.pick(['S', 'SA', 'A', 'FA', 'R', 'SEC', 'PA']));
      if (proto === 'tcp' && this.chance(0.2)) words.push('mss', '1460');
    }
    if (this.chance(0.8)) words.push('iif', this.pick(this.pools.ifaces));
    if (this.chance(0.7)) words.push('oif', this.pick(this.pools.ifaces));
    words.push(
      'ttl',
      String(this.pick([1, 63, 64, 65, 255])),
      'tos',
      String(this.pick([0, 0x10, 0x28, 0x2b])),
    );
    if (this.chance(0.3)) words.push('len', String(this.below(200)));
    const spec = parsePacketSpec(words.join(' '));
    if ('error' in spec) throw new Error(`${words.join(' ')}: ${spec.error}`);
    let bytes = spec.bytes;
    let decoded = spec.packet;
    if (this.chance(0.05)) decoded = { ...decoded, protocol: this.pick([47, 132, 50, 0]) };
    if (this.chance(0.05))
      decoded = { ...decoded, fragment: { offset: this.pick([8, 16, 1480]), more: this.chance(0.5), id: 7 } };
    // A transport header cut short: tcp/udp/icmp and multiport hotdrop, ecn does not.
    if (this.chance(0.05)) bytes = bytes.subarray(0, decoded.ipHeaderLength + this.below(20));
    this.time += BigInt(this.below(3_000_000_000));
    const packet: EnginePacket = {
      bytes,
      decoded,
      timestampNs: this.time,
      iif: spec.iif,
      oif: spec.oif,
      physIn: null,
      physOut: null,
      bridged: false,
      macSrc: this.chance(0.5) ? Uint8Array.from([0, 0x11, 0x22, 0x33, 0x44, this.pick([0x55, 0x56])]) : null,
      macDst: null,
      mark: this.chance(0.6) ? this.pick(this.pools.marks) : this.rnd(),
      socket: this.chance(0.3) ? { uid: this.below(2000), gid: this.below(2000), groups: [] } : null,
    };
    return { packet, ct: this.ct(decoded.src, decoded.dst, decoded.protocol) };
  }

  private ct(src: readonly number[], dst: readonly number[], protocol: number): CtView {
    const state = this.pick([
      'new',
      'established',
      'established',
      'related',
      'invalid',
      'untracked',
    ] as const);
    const direction = this.chance(0.3) ? 'reply' : 'original';
    if (state === 'invalid' || state === 'untracked') return { state, direction, entry: null };
    const sport = this.port();
    const dport = this.port();
    const entry: CtEntryView = {
      protocol,
      original: { src, dst, srcPort: sport, dstPort: dport },
      reply: { src: dst, dst: src, srcPort: dport, dstPort: sport },
      seenReply: this.chance(0.5),
      assured: this.chance(0.5),
      confirmed: this.chance(0.5),
      expected: this.chance(0.2),
      srcNat: this.chance(0.2),
      dstNat: this.chance(0.2),
      mark: this.chance(0.6) ? this.pick(this.pools.marks) : this.rnd(),
      expiresSeconds: this.below(500),
      helper: null,
      packets: { original: 3n, reply: 2n },
      bytes: { original: 300n, reply: 200n },
    };
    return { state, direction, entry };
  }
}
