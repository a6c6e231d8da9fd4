// Whole-path throughput as the connection table grows: the Docker host of scenarios.ts (DNAT to
// published ports, MASQUERADE for the containers' own connections) first opens N TCP
// connections (three-way handshakes, half from outside to a published port, half from a
// container out), then a timed trace of packets over those established connections, spread
// uniformly across them, alternating data and ACKs in both directions. nf_conntrack_max is
// raised to hold them (a quarter as many buckets, as the kernel sizes them); nothing expires
// during the run, so the table holds N connections throughout (1M: nf_conntrack_max 2^20, 131
// MiB of WebAssembly memory). The WebAssembly engine runs every size; the reference engine only
// the small ones (it needs seconds per 10k connections). The handshakes are written into one
// buffer as they are fed; the timed frames are built before the clock starts, back to back.

import { readFileSync } from 'node:fs';
import { ReferenceEngine } from '../../src/engine/reference/engine.js';
import { WasmEngine, type WasmEngineOptions } from '../../src/engine/wasm/engine.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { writeTcpPacket } from '../../src/gen/ipv4-packets.js';
import { type Host, parseHostFile } from '../../src/host/index.js';
import type { Ruleset } from '../../src/ir/ruleset.js';
import { ROUTED_HOST, TimedBatches } from './path.js';
import { dockerHostDump } from './scenarios.js';
import { type NsClock, wallClockNs } from './timing.js';

export interface PopulationOptions {
  /** Live connections. */
  readonly sizes: readonly number[];
  /** Timed packets over the established connections. */
  readonly packets: number;
  /** The reference engine runs the sizes up to this one. */
  readonly referenceMaxSize: number;
  /** Time budget of the reference engine's timed part, ms. */
  readonly referenceMs: number;
  readonly seed: number;
}

export interface PopulationResult {
  readonly connections: number;
  /** nf_conntrack_max / nf_conntrack_buckets of the run. */
  readonly max: number;
  readonly buckets: number;
  /** Connections in the WebAssembly engine's table once opened (should be `connections`). */
  readonly tracked: number;
  /** Opening: 3 frames per connection. */
  readonly wasmOpen: { readonly pps: number; readonly packets: number };
  readonly wasm: { readonly pps: number; readonly packets: number };
  /** Absent above referenceMaxSize. */
  readonly reference?: { readonly pps: number; readonly packets: number };
  /** Share of the timed packets whose way the flow cache replayed. */
  readonly flowReplayed: number;
}

const ETH_HEADER = 14;
const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const HOST_ADDRESS = 0xc0a8010a; // 192.168.1.10 on eth0
const PORTS = 3; // published ports: dockerHostDump(3)

interface Interface {
  readonly name: string;
  readonly mac: readonly number[];
}

/** The routed host with a connection table sized for `max` connections. */
function populationHost(max: number, buckets: number): Host {
  const json = JSON.parse(readFileSync(ROUTED_HOST, 'utf8')) as { sysctl?: Record<string, number> };
  json.sysctl = {
    ...json.sysctl,
    'net.netfilter.nf_conntrack_max': max,
    'net.netfilter.nf_conntrack_buckets': buckets,
  };
  return parseHostFile(JSON.stringify(json), { file: 'population-host.json' });
}

function interfaceOf(host: Host, name: string): Interface {
  const i = host.interfaces.find((x) => x.name === name);
  if (!i?.mac) throw new Error(`population: no ${name} with a MAC address in ${ROUTED_HOST}`);
  return { name, mac: i.mac.split(':').map((x) => Number.parseInt(x, 16)) };
}

/**
 * Connection k's ends: even k from a client outside to published port (k / 2) % 3 (DNAT), odd
 * k from a container to a server outside (MASQUERADE). Addresses and ports are spread so that
 * tuples never repeat up to 3.8M connections.
 */
interface Conn {
  readonly inbound: boolean;
  readonly outside: number;
  readonly outsidePort: number;
  readonly inside: number;
  readonly insidePort: number;
}

function connection(k: number): Conn {
  const port = 1024 + (k % 60000);
  const spread = Math.floor(k / 60000);
  if (k % 2 === 0) {
    const p = (k >>> 1) % PORTS;
    return {
      inbound: true,
      outside: (0x0a000000 + ((spread << 8) | (k % 251)) + 1) >>> 0,
      outsidePort: port,
      inside: (0xac110002 + p) >>> 0,
      insidePort: [80, 443, 8080][p]!,
    };
  }
  return {
    inbound: false,
    outside: (0xcb007100 + (k % 200) + ((spread % 64) << 16)) >>> 0,
    outsidePort: 443,
    inside: (0xac110002 + (k % PORTS)) >>> 0,
    insidePort: port,
  };
}

class FrameWriter {
  readonly buf = new Uint8Array(ETH_HEADER + 20 + 24 + 200);
  private id = 1;

  constructor(
    private readonly eth0: Interface,
    private readonly docker0: Interface,
  ) {}

  /**
   * Connection `c`'s segment: from its initiator (`fromInitiator`) or its responder, as the host
   * receives it (an inbound connection's client sends to the host's address on eth0; a
   * container's peer answers the host's masqueraded address). Returns [length, iif].
   */
  write(
    c: Conn,
    fromInitiator: boolean,
    flags: number,
    seq: number,
    ack: number,
    payload: number,
  ): [number, string] {
    const fromOutside = c.inbound === fromInitiator;
    const iif = fromOutside ? this.eth0 : this.docker0;
    const b = this.buf;
    b.set(iif.mac, 0);
    b.set([0x02, 0, 0, 0, 0, 0x01], 6);
    b[12] = 0x08;
    b[13] = 0x00;
    const outsideEnd = { addr: c.outside, port: c.outsidePort };
    const hostEnd = c.inbound
      ? { addr: HOST_ADDRESS, port: 10000 + ((c.inside - 0xac110002) >>> 0) }
      : { addr: HOST_ADDRESS, port: c.insidePort };
    const insideEnd = { addr: c.inside, port: c.insidePort };
    // From outside the host is addressed (to be DNATed, or as the masqueraded address); from
    // inside, the container addresses the outside end itself (its reply, or before MASQUERADE).
    const [src, dst] = fromOutside ? [outsideEnd, hostEnd] : [insideEnd, outsideEnd];
    const len = writeTcpPacket(
      b,
      ETH_HEADER,
      { src: src.addr, dst: dst.addr, id: this.id++ & 0xffff, ttl: 64 },
      { sport: src.port, dport: dst.port, seq, ack, flags, payload },
    );
    return [ETH_HEADER + len, iif.name];
  }
}

export type Sink = (bytes: Uint8Array, iif: string, ts: bigint) => void;

/** Frames written back to back, built before the timed part so that it times the engine only. */
class FrameList {
  private bytes = new Uint8Array(1 << 20);
  private used = 0;
  readonly starts: number[] = [];
  readonly iifs: string[] = [];
  readonly timestamps: bigint[] = [];

  readonly sink: Sink = (bytes, iif, ts) => {
    if (this.used + bytes.length > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.starts.push(this.used);
    this.bytes.set(bytes, this.used);
    this.used += bytes.length;
    this.iifs.push(iif);
    this.timestamps.push(ts);
  };

  get length(): number {
    return this.starts.length;
  }

  frame(i: number): Uint8Array {
    return this.bytes.subarray(this.starts[i]!, i + 1 < this.starts.length ? this.starts[i + 1]! : this.used);
  }
}

/** Feeds the handshakes of connections [0, n) to `sink`; 1 µs of capture time per frame. */
function openConnections(w: FrameWriter, n: number, t0: bigint, sink: Sink): bigint {
  let ts = t0;
  for (let k = 0; k < n; k++) {
    const c = connection(k);
    const isn = k * 7919;
    const [l1, i1] = w.write(c, true, SYN, isn, 0, 0);
    sink(w.buf.subarray(0, l1), i1, ts);
    const [l2, i2] = w.write(c, false, SYN | ACK, isn ^ 0x5555, isn + 1, 0);
    sink(w.buf.subarray(0, l2), i2, ts + 1000n);
    const [l3, i3] = w.write(c, true, ACK, isn + 1, (isn ^ 0x5555) + 1, 0);
    sink(w.buf.subarray(0, l3), i3, ts + 2000n);
    ts += 3000n;
  }
  return ts;
}

/**
 * `packets` segments over connections [0, n), uniformly at random (seeded): data from the
 * initiator, then an ACK from the responder for it, the sequence numbers tracked per connection.
 */
function trafficOver(w: FrameWriter, n: number, packets: number, seed: number, t0: bigint, sink: Sink): void {
  const sent = new Uint32Array(n); // bytes the initiator sent after the handshake
  let x = seed >>> 0 || 1;
  let ts = t0;
  for (let i = 0; i < packets; i += 2) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const k = (x >>> 0) % n;
    const c = connection(k);
    const isn = k * 7919;
    const seq = (isn + 1 + sent[k]!) >>> 0;
    const peer = ((isn ^ 0x5555) + 1) >>> 0;
    const [l1, i1] = w.write(c, true, ACK | PSH, seq, peer, 100);
    sink(w.buf.subarray(0, l1), i1, ts + 1000n);
    sent[k] = sent[k]! + 100;
    if (i + 1 >= packets) break;
    const [l2, i2] = w.write(c, false, ACK, peer, (seq + 100) >>> 0, 0);
    sink(w.buf.subarray(0, l2), i2, ts + 2000n);
    ts += 2000n;
  }
}

/** The kernel's default, or the power of two that holds the connections and a few in flight. */
function tableSize(connections: number): { max: number; buckets: number } {
  let max = 262144;
  while (max < connections + connections / 32) max *= 2;
  return { max, buckets: max / 4 };
}

export interface PopulationWorkload {
  readonly ruleset: Ruleset;
  readonly host: Host;
  readonly max: number;
  readonly buckets: number;
}

/**
 * The workload's frames: the handshakes of `n` connections to `open`, then `packets` segments
 * over them to `timed`.
 */
export function populationTraffic(
  w: PopulationWorkload,
  n: number,
  packets: number,
  seed: number,
  open: Sink,
  timed: Sink,
): void {
  const frames = new FrameWriter(interfaceOf(w.host, 'eth0'), interfaceOf(w.host, 'docker0'));
  const end = openConnections(frames, n, 1_000_000_000_000n, open);
  trafficOver(frames, n, packets, seed, end, timed);
}

export function populationWorkload(connections: number): PopulationWorkload {
  const ruleset = parseIptablesSave(dockerHostDump(PORTS), { file: 'docker-host.v4', family: 'ipv4' });
  const { max, buckets } = tableSize(connections);
  return { ruleset, host: populationHost(max, buckets), max, buckets };
}

/** Opens `n` connections in the WebAssembly engine, then times `packets` over them. */
export function runWasmPopulation(
  w: PopulationWorkload,
  n: number,
  packets: number,
  seed: number,
  options: WasmEngineOptions = {},
  batchClock: NsClock = wallClockNs,
): { engine: WasmEngine; openNs: number; timedNs: number; batchNs: number; timedReplays: number } {
  const engine = new WasmEngine(w.ruleset, w.host, { seed: 1, ...options });
  const batches = new TimedBatches(engine, batchClock);
  const run = batches.run;
  const frames = new FrameWriter(interfaceOf(w.host, 'eth0'), interfaceOf(w.host, 'docker0'));
  const sink: Sink = (bytes, iif, ts) => {
    if (!engine.fits(bytes.length)) run();
    engine.add(bytes, 'ethernet', iif, ts);
  };
  const t0 = process.hrtime.bigint();
  const end = openConnections(frames, n, 1_000_000_000_000n, sink);
  run();
  batches.ns = 0;
  const t1 = process.hrtime.bigint();
  const timed = new FrameList();
  trafficOver(frames, n, packets, seed, end, timed.sink);
  const replaysBefore = engine.flowCache.replays;
  const t2 = process.hrtime.bigint();
  for (let i = 0; i < timed.length; i++) sink(timed.frame(i), timed.iifs[i]!, timed.timestamps[i]!);
  run();
  const t3 = process.hrtime.bigint();
  return {
    engine,
    openNs: Number(t1 - t0),
    timedNs: Number(t3 - t2),
    batchNs: batches.ns,
    timedReplays: engine.flowCache.replays - replaysBefore,
  };
}

/** The same in the reference engine, the timed part cut at `budgetMs` (at least 200 packets). */
function runReferencePopulation(
  w: PopulationWorkload,
  n: number,
  packets: number,
  seed: number,
  budgetMs: number,
): { pps: number; packets: number } {
  const engine = new ReferenceEngine(w.ruleset, w.host, { seed: 1 });
  const timed = new FrameList();
  populationTraffic(
    w,
    n,
    packets,
    seed,
    (bytes, iif, ts) => engine.process({ bytes: bytes.slice(), linkType: 'ethernet', iif, timestampNs: ts }),
    timed.sink,
  );
  let done = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < timed.length; i++) {
    engine.process({
      bytes: timed.frame(i),
      linkType: 'ethernet',
      iif: timed.iifs[i]!,
      timestampNs: timed.timestamps[i]!,
    });
    done++;
    if (done >= 200 && Number(process.hrtime.bigint() - t0) / 1e6 > budgetMs) break;
  }
  return { pps: done / (Number(process.hrtime.bigint() - t0) / 1e9), packets: done };
}

export function measurePopulation(n: number, options: PopulationOptions): PopulationResult {
  const w = populationWorkload(n);
  const { engine, openNs, timedNs, timedReplays } = runWasmPopulation(w, n, options.packets, options.seed);
  const tracked = engine.conntrack.count;
  const reference =
    n <= options.referenceMaxSize
      ? runReferencePopulation(w, n, options.packets, options.seed, options.referenceMs)
      : undefined;
  return {
    connections: n,
    max: w.max,
    buckets: w.buckets,
    tracked,
    wasmOpen: { pps: (3 * n) / (openNs / 1e9), packets: 3 * n },
    wasm: { pps: options.packets / (timedNs / 1e9), packets: options.packets },
    ...(reference ? { reference } : {}),
    flowReplayed: timedReplays / options.packets,
  };
}
