// Whole-packet-path throughput: a generated trace through the WebAssembly engine (conntrack,
// NAT, routing, every hook's tables, the host's own answers, the walk memo and the flow cache)
// and through the reference engine, on the same frames in the same run. Scenarios on routed
// hosts (test/fixtures/wasm-engine/; bench/wasm-engine.bench.ts `bridged` measures a bridge):
// - docker: the Docker host of scenarios.ts (N published ports, DNAT and MASQUERADE; docker0 a
//   plain interface), as Docker leaves it;
// - kube-proxy: bench/generate/kube-proxy.ts's full layout (statistic, MARK, DNAT, MASQUERADE,
//   REJECT for services without endpoints) on a node with its pods behind cni0.
// Traffic from `nfwasm gen`, the host's own packets (@local) included. The reference engine
// runs as many frames as fit its time budget; the WebAssembly engine runs the whole trace
// `repeat` times with time shifted by the trace's span, so connections live on, age and renew
// as in a long capture.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReferenceEngine } from '../../src/engine/reference/engine.js';
import { FRAME_SLACK, WasmEngine } from '../../src/engine/wasm/engine.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { generateTrace } from '../../src/gen/index.js';
import { parseTrafficMix } from '../../src/gen/traffic-mix.js';
import { type Host, parseHostFile } from '../../src/host/index.js';
import type { Ruleset } from '../../src/ir/ruleset.js';
import { copyRun, type FrameSpans } from '../../src/replay/frame-spans.js';
import { frameLink } from '../../src/replay/replay-trace.js';
import { MemorySink, PcapngWriter, traceFromBytes } from '../../src/trace/index.js';
import type { LinkType } from '../../src/wire/packet.js';
import { generateKubeProxyDump } from '../generate/kube-proxy.js';
import { dockerHostDump } from './scenarios.js';
import { type NsClock, wallClockNs } from './timing.js';

export interface Frame {
  readonly bytes: Uint8Array;
  readonly linkType: LinkType;
  readonly iif: string;
  readonly timestampNs: bigint;
}

export type PathScenario = 'docker' | 'kube-proxy';
export const PATH_SCENARIOS: readonly PathScenario[] = ['docker', 'kube-proxy'];

export interface PathOptions {
  readonly scenarios: readonly PathScenario[];
  /** Rule counts (the Docker host publishes size / 3 ports; kube-proxy has at least that many rules). */
  readonly sizes: readonly number[];
  readonly packets: number;
  readonly flows: number;
  /** Passes of the WebAssembly engine over the trace. */
  readonly repeat: number;
  /** Time budget of the reference engine per size, ms. */
  readonly referenceMs: number;
  readonly seed: number;
}

export interface PathResult {
  readonly scenario: string;
  readonly size: number;
  readonly rules: number;
  /** Frames in the trace (the host's own left out). */
  readonly frames: number;
  readonly flows: number;
  readonly wasm: { readonly pps: number; readonly packets: number; readonly batchPps: number };
  readonly reference: { readonly pps: number; readonly packets: number };
  readonly wasmOverReference: number;
  /** Share of the WebAssembly engine's packets whose way the flow cache replayed. */
  readonly flowReplayed: number;
  /** Host questions that crossed into JavaScript. */
  readonly hostQuestions: number;
}

export const ROUTED_HOST = join(import.meta.dirname, '../../test/fixtures/wasm-engine/routed-host.json');
export const KUBE_HOST = join(import.meta.dirname, '../../test/fixtures/wasm-engine/routed-kube-host.json');

export function routedHost(file = ROUTED_HOST): Host {
  return parseHostFile(readFileSync(file, 'utf8'), { file });
}

/**
 * The whole-path benches' Docker trace (bench/wasm-engine.bench.ts, path-fates, engine-ab's
 * `docker-routed`): the routed Docker fixture on a host (the routed one by default), a seeded
 * trace of `packets` generated packets, 1000 flows, without the host's own.
 */
export function routedDockerTrace(
  packets: number,
  hostFile = ROUTED_HOST,
): { ruleset: Ruleset; host: Host; frames: Frame[] } {
  const file = join(import.meta.dirname, '../../test/fixtures/wasm-engine/docker-routed.v4');
  const { ruleset } = loadRuleset(readFileSync(file, 'utf8'), { file });
  const host = routedHost(hostFile);
  return { ruleset, host, frames: generatedFrames(ruleset, host, packets, 1000, 1) };
}

/** A seeded `nfwasm gen` trace for the ruleset on the host, as frames (`@local` ones only on request). */
export function generatedFrames(
  ruleset: Ruleset,
  host: Host,
  packets: number,
  flows: number,
  seed: number,
  mix = 'tcp=60,udp=40',
  hostPackets = false,
): Frame[] {
  const sink = new MemorySink();
  const writer = new PcapngWriter(sink);
  generateTrace(writer, { ruleset, host, packets, flows, seed, mix: parseTrafficMix(mix) });
  writer.flush();
  const frames: Frame[] = [];
  for (const p of traceFromBytes(sink.bytes()).packetsSync()) {
    const iif = p.interfaceName ?? '';
    const linkType = frameLink(p.linkType, p.data);
    if ((iif.startsWith('@') && !hostPackets) || !linkType) continue;
    frames.push({ bytes: p.data.slice(), linkType, iif, timestampNs: p.timestampNs ?? 0n });
  }
  return frames;
}

/**
 * The engine's batches run and cleared, the time inside run() added up by `clock`. No packet's
 * result is read, so, as `nfwasm replay` does when it writes no per-packet output, the engine
 * does not copy each packet's connection for one (WasmEngine.packetConnections).
 */
export class TimedBatches {
  ns = 0;
  constructor(
    private readonly engine: WasmEngine,
    private readonly clock: NsClock = wallClockNs,
  ) {
    engine.packetConnections = false;
  }

  readonly run = (): void => {
    const t = this.clock();
    this.engine.run();
    this.ns += this.clock() - t;
    this.engine.clear();
  };
}

/**
 * The frames laid end to end in one buffer, FRAME_SLACK bytes apart (room for a frame to grow
 * into, as after a capture file's record), with their timestamps as two 32-bit words: what
 * `nfwasm replay` has in a reader's chunk, so batches fill as its do (frame-spans.ts).
 */
class PackedFrames implements FrameSpans {
  readonly bytes: Uint8Array;
  private readonly offsets: Uint32Array;
  private readonly lengths: Uint32Array;
  readonly stampLo: Uint32Array;
  readonly stampHi: Uint32Array;

  constructor(frames: readonly Frame[]) {
    const n = frames.length;
    this.offsets = new Uint32Array(n);
    this.lengths = new Uint32Array(n);
    this.stampLo = new Uint32Array(n);
    this.stampHi = new Uint32Array(n);
    let size = 0;
    for (const f of frames) size += f.bytes.length + FRAME_SLACK;
    this.bytes = new Uint8Array(size);
    let at = 0;
    frames.forEach((f, i) => {
      this.bytes.set(f.bytes, at);
      this.offsets[i] = at;
      this.lengths[i] = f.bytes.length;
      this.stampLo[i] = Number(BigInt.asUintN(32, f.timestampNs));
      this.stampHi[i] = Number(BigInt.asUintN(32, f.timestampNs >> 32n));
      at += f.bytes.length + FRAME_SLACK;
    });
  }

  offset(i: number): number {
    return this.offsets[i]!;
  }

  length(i: number): number {
    return this.lengths[i]!;
  }
}

/**
 * Runs the frames through the WebAssembly engine `repeat` times, as `nfwasm replay` feeds it (a
 * run of frames copied at once, then a record per frame); ns spent in run() and in all. Pass r
 * is shifted by r times the trace's span and numbers its frames on from the last pass's.
 */
export function runWasm(
  engine: WasmEngine,
  frames: readonly Frame[],
  repeat: number,
  batchClock: NsClock = wallClockNs,
): { totalNs: number; batchNs: number } {
  if (frames.length === 0) return { totalNs: 0, batchNs: 0 };
  const span = frames.at(-1)!.timestampNs - frames[0]!.timestampNs + 1_000_000_000n;
  const packed = new PackedFrames(frames);
  const n = frames.length;
  const batches = new TimedBatches(engine, batchClock);
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < repeat; r++) {
    const shift = span * BigInt(r);
    const shiftLo = Number(BigInt.asUintN(32, shift));
    const shiftHi = Number(BigInt.asUintN(32, shift >> 32n));
    let i = 0;
    while (i < n) {
      const j = copyRun(engine, packed.bytes, packed, i, n);
      if (j === i) {
        batches.run();
        continue;
      }
      for (; i < j; i++) {
        const f = frames[i]!;
        const lo = packed.stampLo[i]! + shiftLo;
        engine.addInSpan(
          packed.offset(i),
          packed.length(i),
          f.linkType,
          f.iif,
          lo >>> 0,
          (packed.stampHi[i]! + shiftHi + (lo > 0xffffffff ? 1 : 0)) >>> 0,
          r * n + i + 1,
        );
      }
    }
  }
  batches.run();
  return { totalNs: Number(process.hrtime.bigint() - t0), batchNs: batches.ns };
}

/** The reference engine over the first frames that fit `budgetMs` (at least 200). */
export function runReference(
  ruleset: Ruleset,
  host: Host,
  frames: readonly Frame[],
  budgetMs: number,
): { pps: number; packets: number } {
  const engine = new ReferenceEngine(ruleset, host, { seed: 1 });
  const t0 = process.hrtime.bigint();
  let n = 0;
  for (const f of frames) {
    engine.process(f);
    n++;
    if (n >= 200 && Number(process.hrtime.bigint() - t0) / 1e6 > budgetMs) break;
  }
  return { pps: n / (Number(process.hrtime.bigint() - t0) / 1e9), packets: n };
}

/** The whole-path scenario: the Docker host dump with `size` rules, its host and a gen trace. */
export interface PathWorkload {
  /** The ruleset as iptables-save text (what iptables-restore loads). */
  readonly dump: string;
  readonly ruleset: Ruleset;
  readonly rules: number;
  readonly host: Host;
  readonly frames: readonly Frame[];
}

export interface PathWorkloadOptions {
  readonly scenario?: PathScenario;
  /** Keep the host's own packets (the kernel bench replays only what the host receives). */
  readonly hostPackets?: boolean;
  /** INPUT's policy DROP, so nothing is for the host to answer (the kernel bench). */
  readonly inputDrop?: boolean;
}

export function pathWorkload(
  size: number,
  packets: number,
  flows: number,
  seed: number,
  options: PathWorkloadOptions = { inputDrop: true },
): PathWorkload {
  const kube = options.scenario === 'kube-proxy';
  let dump = kube
    ? generateKubeProxyDump({ rules: size, seed }).text
    : dockerHostDump(Math.max(1, Math.round(size / 3)));
  if (options.inputDrop) dump = dump.replace(':INPUT ACCEPT', ':INPUT DROP');
  const ruleset = parseIptablesSave(dump, {
    file: kube ? 'kube-proxy.v4' : 'docker-host.v4',
    family: 'ipv4',
  });
  const rules = ruleset.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0);
  const host = routedHost(kube ? KUBE_HOST : ROUTED_HOST);
  const frames = generatedFrames(ruleset, host, packets, flows, seed, 'tcp=60,udp=40', options.hostPackets);
  return { dump, ruleset, rules, host, frames };
}

export function measurePath(scenario: PathScenario, size: number, options: PathOptions): PathResult {
  const { ruleset, rules, host, frames } = pathWorkload(size, options.packets, options.flows, options.seed, {
    scenario,
    hostPackets: true,
  });
  const reference = runReference(ruleset, host, frames, options.referenceMs);
  const engine = new WasmEngine(ruleset, host, { seed: 1 });
  const { totalNs, batchNs } = runWasm(engine, frames, options.repeat);
  const packets = frames.length * options.repeat;
  const wasmPps = packets / (totalNs / 1e9);
  return {
    scenario: `${scenario} (whole path)`,
    size,
    rules,
    frames: frames.length,
    flows: options.flows,
    wasm: { pps: wasmPps, packets, batchPps: packets / (batchNs / 1e9) },
    reference,
    wasmOverReference: wasmPps / reference.pps,
    flowReplayed: engine.flowCache.replays / packets,
    hostQuestions: engine.hostQueries,
  };
}
