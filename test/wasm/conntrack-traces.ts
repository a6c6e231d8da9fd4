// Seeded random conntrack traces of plausible flows: TCP handshakes, data both ways, SACK and
// window scaling, retransmissions, FIN/RST teardowns, reopens, stray segments and bad flag
// combinations; UDP request/response; ICMP echo/timestamp; a generic protocol (GRE); over IPv4
// and IPv6, with time gaps long enough to expire connections.

import type { CtPacket, TcpOptions } from '../../src/engine/conntrack/index.js';
import { Xoshiro128ss } from '../../src/engine/conntrack/index.js';
import type { WasmCtPacket } from '../../src/engine/wasm/conntrack.js';
import type { Hook } from '../../src/ir/ruleset.js';

const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;
const RST = 0x04;
const PSH = 0x08;
const URG = 0x20;

class Rng {
  private readonly x: Xoshiro128ss;
  constructor(seed: number) {
    this.x = new Xoshiro128ss(seed);
  }
  u32(): number {
    return this.x.nextU32();
  }
  int(n: number): number {
    return this.x.nextU32() % n;
  }
  chance(p: number): boolean {
    return this.x.nextU32() / 0x1_0000_0000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

interface Host {
  readonly v6: boolean;
  readonly addr: readonly number[];
}

type Phase = 'new' | 'syn' | 'synack' | 'est' | 'fin' | 'closed';

interface TcpFlow {
  readonly kind: 'tcp';
  a: Host;
  b: Host;
  sport: number;
  dport: number;
  phase: Phase;
  snd: [number, number];
  opts: [TcpOptions | undefined, TcpOptions | undefined];
  history: CtPacket[];
}

interface OtherFlow {
  readonly kind: 'udp' | 'icmp' | 'gre';
  a: Host;
  b: Host;
  sport: number;
  dport: number;
  icmpType: number;
}

type Flow = TcpFlow | OtherFlow;

function hostPool(rng: Rng): Host[] {
  const hosts: Host[] = [];
  for (let i = 1; i <= 6; i++) hosts.push({ v6: false, addr: [(0x0a000000 + i) >>> 0] });
  for (let i = 1; i <= 3; i++) hosts.push({ v6: true, addr: [0x20010db8, 0, rng.u32() & 0xff, i] });
  return hosts;
}

function pair(rng: Rng, hosts: readonly Host[]): [Host, Host] {
  const v6 = rng.chance(0.2);
  const pool = hosts.filter((h) => h.v6 === v6);
  const a = rng.pick(pool);
  let b = rng.pick(pool);
  while (b === a) b = rng.pick(pool);
  return [a, b];
}

function tcpPacket(
  f: TcpFlow,
  from: 0 | 1,
  flags: number,
  seq: number,
  ack: number,
  window: number,
  payloadLength: number,
  options?: TcpOptions,
): CtPacket {
  const [src, dst] = from === 0 ? [f.a, f.b] : [f.b, f.a];
  const optLen = options ? 20 : 0;
  return {
    family: src.v6 ? 'ipv6' : 'ipv4',
    protocol: 6,
    src: src.addr,
    dst: dst.addr,
    length: 40 + optLen + payloadLength,
    sport: from === 0 ? f.sport : f.dport,
    dport: from === 0 ? f.dport : f.sport,
    tcp: {
      flags,
      seq: seq >>> 0,
      ack: ack >>> 0,
      window,
      payloadLength,
      ...(options ? { headerLength: 20 + optLen, options } : {}),
    },
  };
}

function synOptions(rng: Rng): TcpOptions | undefined {
  if (rng.chance(0.25)) return undefined;
  return {
    ...(rng.chance(0.7) ? { wscale: rng.pick([0, 2, 7, 14, 15]) } : {}),
    ...(rng.chance(0.7) ? { sackPerm: true } : {}),
  };
}

function window(rng: Rng): number {
  if (rng.chance(0.03)) return 0;
  return rng.chance(0.8) ? 16384 + rng.int(49152) : rng.int(65536);
}

/** One step of a TCP flow: mostly what its phase calls for, sometimes something odd. */
function tcpStep(rng: Rng, f: TcpFlow): CtPacket {
  const r = rng.int(100);
  const mk = (from: 0 | 1, flags: number, len: number, options?: TcpOptions): CtPacket => {
    const seq = f.snd[from];
    const ack = f.snd[1 - from]!;
    const p = tcpPacket(
      f,
      from,
      flags,
      seq,
      flags & ACK ? ack : rng.chance(0.5) ? 0 : rng.u32(),
      window(rng),
      len,
      options,
    );
    f.snd[from] = (seq + len + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0)) >>> 0;
    return p;
  };
  const remember = (p: CtPacket): CtPacket => {
    f.history.push(p);
    if (f.history.length > 6) f.history.shift();
    return p;
  };
  if (r < 4 && f.history.length > 0) return rng.pick(f.history); // retransmission
  if (r < 6) {
    // A stray segment: random flags (some invalid combinations), random numbers.
    const flags = rng.pick([
      SYN,
      SYN | ACK,
      ACK,
      FIN | ACK,
      RST,
      RST | ACK,
      SYN | FIN,
      FIN,
      0,
      ACK | URG,
      PSH | ACK,
    ]);
    return tcpPacket(f, rng.chance(0.5) ? 0 : 1, flags, rng.u32(), rng.u32(), window(rng), rng.int(3) * 100);
  }
  if (r < 8) {
    // RST from either side, in window or not.
    const from = rng.chance(0.5) ? 0 : 1;
    f.phase = 'closed';
    if (rng.chance(0.3)) return tcpPacket(f, from, RST, rng.u32(), 0, 0, 0);
    return remember(mk(from, rng.chance(0.5) ? RST : RST | ACK, 0));
  }
  switch (f.phase) {
    case 'new':
    case 'closed': {
      f.snd[0] = rng.u32();
      f.snd[1] = rng.u32();
      f.opts = [synOptions(rng), synOptions(rng)];
      f.phase = 'syn';
      f.history = [];
      if (rng.chance(0.03)) return remember(mk(1, SYN, 0, f.opts[1])); // the "server" opens
      return remember(mk(0, SYN, 0, f.opts[0]));
    }
    case 'syn':
      if (rng.chance(0.1))
        return remember(tcpPacket(f, 0, SYN, (f.snd[0] - 1) >>> 0, 0, window(rng), 0, f.opts[0]));
      f.phase = 'synack';
      return remember(mk(1, SYN | ACK, 0, f.opts[1]));
    case 'synack':
      f.phase = 'est';
      return remember(mk(0, ACK, 0));
    case 'est': {
      const from = rng.chance(0.6) ? 0 : 1;
      if (rng.chance(0.08)) {
        f.phase = 'fin';
        return remember(mk(from, FIN | ACK, rng.chance(0.3) ? 100 : 0));
      }
      const len = rng.chance(0.3) ? 0 : rng.pick([1, 100, 536, 1460, 1460, 4000]);
      const p = mk(from, rng.chance(0.5) ? ACK | PSH : ACK, len);
      if (len > 0 && rng.chance(0.1) && p.tcp) {
        // A SACK block beyond the cumulative ACK.
        const tcp = p.tcp;
        return remember({
          ...p,
          tcp: {
            ...tcp,
            headerLength: 32,
            options: { sackRightEdges: [(tcp.ack + rng.int(3000)) >>> 0, (tcp.ack + rng.int(100)) >>> 0] },
          },
        });
      }
      return remember(p);
    }
    case 'fin': {
      const from = rng.chance(0.5) ? 0 : 1;
      if (rng.chance(0.4)) f.phase = rng.chance(0.5) ? 'closed' : 'fin';
      return remember(mk(from, rng.chance(0.5) ? FIN | ACK : ACK, 0));
    }
  }
}

function otherStep(rng: Rng, f: OtherFlow): CtPacket {
  const reply = rng.chance(0.45);
  const [src, dst] = reply ? [f.b, f.a] : [f.a, f.b];
  const family = src.v6 ? 'ipv6' : 'ipv4';
  if (f.kind === 'udp') {
    return {
      family,
      protocol: rng.chance(0.05) ? 136 : 17,
      src: src.addr,
      dst: dst.addr,
      length: 28 + rng.int(1000),
      sport: reply ? f.dport : f.sport,
      dport: reply ? f.sport : f.dport,
      ...(rng.chance(0.01) ? { badUdpLength: true } : {}),
    };
  }
  if (f.kind === 'icmp') {
    const v6 = src.v6;
    let type: number;
    if (v6) type = reply ? 129 : rng.chance(0.9) ? 128 : rng.pick([129, 139, 135]);
    else
      type = reply ? (f.icmpType === 13 ? 14 : 0) : rng.chance(0.95) ? f.icmpType : rng.pick([0, 14, 19, 30]);
    return {
      family,
      protocol: v6 ? 58 : 1,
      src: src.addr,
      dst: dst.addr,
      length: 84,
      icmp: { type, code: 0, id: f.sport },
    };
  }
  return { family, protocol: 47, src: src.addr, dst: dst.addr, length: 100 + rng.int(500) };
}

/**
 * An ICMP error about `about` (a packet of some flow): sent back to its source by its
 * destination or by a router, sometimes to the wrong address, sometimes quoting nothing usable;
 * or an ICMPv6 neighbour solicitation (untracked).
 */
function icmpError(rng: Rng, about: CtPacket, hosts: readonly Host[]): CtPacket {
  const v6 = about.family === 'ipv6';
  const routers = hosts.filter((h) => h.v6 === v6);
  const from = rng.chance(0.5) ? about.dst : rng.pick(routers).addr;
  const to = rng.chance(0.9) ? about.src : rng.pick(routers).addr;
  const r = rng.int(20);
  const type = v6 ? (r === 0 ? 135 : r === 1 ? 137 : rng.pick([1, 2, 3, 4])) : rng.pick([3, 3, 11, 12, 4, 5]);
  const base = {
    family: about.family,
    protocol: v6 ? 58 : 1,
    src: from,
    dst: to,
    length: 56 + about.length,
    icmp: { type, code: rng.int(4), id: 0 },
  } as const;
  if (rng.chance(0.05)) return base; // quotes nothing parsable
  return {
    ...base,
    quoted: {
      protocol: about.protocol,
      src: about.src,
      dst: about.dst,
      ...(about.sport !== undefined ? { sport: about.sport } : {}),
      ...(about.dport !== undefined ? { dport: about.dport } : {}),
      ...(about.icmp ? { icmp: about.icmp } : {}),
      ...(rng.chance(0.03) ? { unparsable: true } : {}),
    },
  };
}

export interface TraceOptions {
  readonly packets: number;
  /** Concurrent flows. */
  readonly flows?: number;
  /** How often time steps back (by up to a minute), as in a capture merged from several. */
  readonly backInTime?: number;
}

/** A trace of `packets` packets with increasing timestamps (unless backInTime). */
export function* conntrackTrace(seed: number, options: TraceOptions): Generator<WasmCtPacket> {
  const rng = new Rng(seed);
  const hosts = hostPool(rng);
  const flows: Flow[] = [];
  const maxFlows = options.flows ?? 24;
  let now = 1_000_000_000_000n + BigInt(rng.int(1_000_000));
  const newFlow = (): Flow => {
    const [a, b] = pair(rng, hosts);
    const sport = rng.chance(0.3) ? 40000 + rng.int(8) : 1024 + rng.int(60000);
    const r = rng.int(10);
    if (r < 6)
      return {
        kind: 'tcp',
        a,
        b,
        sport,
        dport: rng.pick([22, 80, 443]),
        phase: 'new',
        snd: [0, 0],
        opts: [undefined, undefined],
        history: [],
      };
    if (r < 8) return { kind: 'udp', a, b, sport, dport: rng.pick([53, 123, 443]), icmpType: 0 };
    if (r < 9) return { kind: 'icmp', a, b, sport: rng.int(8), dport: 0, icmpType: rng.chance(0.8) ? 8 : 13 };
    return { kind: 'gre', a, b, sport: 0, dport: 0, icmpType: 0 };
  };
  for (let i = 0; i < options.packets; i++) {
    // Time: mostly sub-second gaps, sometimes seconds (UDP's 2-second rule), sometimes minutes.
    const g = rng.int(1000);
    if (g < 900) now += BigInt(rng.int(300_000_000));
    else if (g < 985) now += BigInt(1 + rng.int(40)) * 1_000_000_000n;
    else now += BigInt(60 + rng.int(700)) * 1_000_000_000n;
    if (options.backInTime !== undefined && rng.chance(options.backInTime))
      now -= BigInt(rng.int(60_000)) * 1_000_000n;
    if (flows.length < maxFlows || rng.chance(0.02)) {
      if (flows.length >= maxFlows) flows.splice(rng.int(flows.length), 1);
      flows.push(newFlow());
    }
    const f = rng.pick(flows);
    let pkt = f.kind === 'tcp' ? tcpStep(rng, f) : otherStep(rng, f);
    if (rng.chance(0.04)) pkt = icmpError(rng, pkt, hosts);
    const hook: Hook = rng.chance(0.8) ? 'prerouting' : 'output';
    if (rng.chance(0.01)) pkt = { ...pkt, badChecksum: true };
    if (rng.chance(0.003)) pkt = { ...pkt, unparsable: true };
    yield { pkt, now, hook };
  }
}
