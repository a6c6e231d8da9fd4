// Two builds of the WebAssembly engine (the whole packet path) on the same workloads, in one
// process: two engines, one per build, are fed the same frames and run batch by batch in
// lockstep (A then B, B then A on the next batch), each batch timed in wall time (`--cpu`:
// process CPU time, which also counts V8's helper threads). On a shared machine the load then
// weighs on both alike from one batch to the next, and the ratio holds where the absolute
// figures swing: the same build against itself gave 0.95–1.07 per run. Each of --runs is a fresh pair of engines (after one uncounted run); every run
// must end with the same counters and connections in both builds. The flow cache's replays and
// refusals (new connections dropped as their flow's first was) are printed per build.
//
// A process compiles each build once, and where its code lands stays for the process: the same
// build against itself gave B/A 0.955, 1.004, 1.010 and 1.039 in four processes (three runs each,
// 2026-11-22), every run of a process within 0.06 of the others. `--processes N` runs the whole
// comparison in N processes one after the other and prints each process's B/A and their median,
// which a change of a few per cent needs.
//
// Workloads: `population-N` (bench/lib/population.ts: N established connections opened, then
// --packets spread over them, most replayed by the flow cache; the handshakes are not timed),
// `docker-path` and `kube-path` (bench/lib/path.ts: a generated trace of the Docker host of
// 114 rules or kube-proxy of 105, 1000 flows with the host's own packets, replayed 10 times
// with time shifted), `docker-routed` (bench/wasm-engine.bench.ts's trace: the routed Docker
// fixture, 20k generated packets without the host's own, 10 times).
//
//   cp build/release.wasm /tmp/before.wasm   # ... change assembly/, npm run asbuild:release
//   npx tsx bench/engine-ab.bench.ts /tmp/before.wasm build/release.wasm [--workloads LIST] [--runs N] [--packets N] [--cpu] [--processes N]

import { spawnSync } from 'node:child_process';
import { WasmEngine } from '../src/engine/wasm/engine.js';
import { printIptablesSave } from '../src/frontend/iptables/printer.js';
import type { Host } from '../src/host/index.js';
import type { Ruleset } from '../src/ir/ruleset.js';
import { BenchArgs } from './lib/args.js';
import { pathWorkload, routedDockerTrace, TimedBatches } from './lib/path.js';
import { populationTraffic, populationWorkload } from './lib/population.js';
import { cpuClockNs, wallClockNs } from './lib/timing.js';

const args = new BenchArgs();
const [fileA, fileB] = process.argv.slice(2);
if (!fileA || !fileB || fileA.startsWith('--') || fileB.startsWith('--'))
  throw new Error(
    'usage: engine-ab.bench.ts A.wasm B.wasm [--workloads LIST] [--runs N] [--packets N] [--cpu] [--processes N]',
  );
const workloads = args.list('--workloads', 'population-1000,population-100000,docker-path,kube-path');
const runs = args.number('--runs', 3);
const packets = args.number('--packets', 1_000_000);

const clock = args.has('--cpu') ? cpuClockNs : wallClockNs;
/** A frame to feed: bytes, link type, capture interface, timestamp. */
type FrameSink = (bytes: Uint8Array, link: string, iif: string, ts: bigint) => void;

interface Workload {
  readonly ruleset: Ruleset;
  readonly host: Host;
  /** Frames fed before the timed ones (not timed). */
  readonly setup: (sink: FrameSink) => void;
  readonly timed: (sink: FrameSink) => void;
}

function workload(name: string): Workload {
  const population = /^population-(\d+)$/.exec(name);
  if (population) {
    const n = Number(population[1]);
    const w = populationWorkload(n);
    const open: [Uint8Array, string, string, bigint][] = [];
    const timed: [Uint8Array, string, string, bigint][] = [];
    populationTraffic(
      w,
      n,
      packets,
      1,
      (b, i, t) => open.push([b.slice(), 'ethernet', i, t]),
      (b, i, t) => timed.push([b.slice(), 'ethernet', i, t]),
    );
    return {
      ruleset: w.ruleset,
      host: w.host,
      setup: (sink) => {
        for (const f of open) sink(...f);
      },
      timed: (sink) => {
        for (const f of timed) sink(...f);
      },
    };
  }
  if (name === 'docker-path' || name === 'kube-path' || name === 'docker-routed') {
    const w =
      name === 'docker-routed'
        ? routedDockerTrace(20_000)
        : pathWorkload(100, 20_000, 1000, 1, {
            scenario: name === 'docker-path' ? 'docker' : 'kube-proxy',
            hostPackets: true,
          });
    const frames = w.frames;
    const span = frames.at(-1)!.timestampNs - frames[0]!.timestampNs + 1_000_000_000n;
    return {
      ruleset: w.ruleset,
      host: w.host,
      setup: () => {},
      timed: (sink) => {
        for (let r = 0n; r < 10n; r++)
          for (const f of frames) sink(f.bytes, f.linkType, f.iif, f.timestampNs + span * r);
      },
    };
  }
  throw new Error(`unknown workload ${name} (population-N, docker-path, kube-path, docker-routed)`);
}

/** What a run decided: counters and live connections (the flow cache's replays may differ). */
function outcomeOf(engine: WasmEngine): string {
  const { entries } = engine.conntrackStats();
  return `${printIptablesSave(engine.rulesetWithCounters(), { counters: true })}\nconnections ${entries}`;
}

/** One run: both engines fed alike; CPU ns inside run() per engine over the timed frames. */
function lockstepRun(
  w: Workload,
  bFirst: boolean,
): {
  ns: [number, number];
  packets: number;
  same: boolean;
  replays: [number, number];
  refusals: [number, number];
} {
  // Made in either order: two instances of one build have differed by up to 30% on this machine
  // at times (where each one's memory lands), so runs alternate which build is made first.
  const make = (file: string) => new WasmEngine(w.ruleset, w.host, { seed: 1, wasmFile: file });
  const first = make(bFirst ? fileB! : fileA!);
  const second = make(bFirst ? fileA! : fileB!);
  const engines = bFirst ? ([second, first] as const) : ([first, second] as const);
  const batches = engines.map((e) => new TimedBatches(e, clock));
  let timing = false;
  let batch = 0;
  const runBoth = () => {
    for (const k of batch++ % 2 === 0 ? [0, 1] : [1, 0]) batches[k]!.run();
  };
  let count = 0;
  const sink: FrameSink = (bytes, link, iif, ts) => {
    if (!engines[0].fits(bytes.length) || !engines[1].fits(bytes.length)) runBoth();
    for (const e of engines) e.add(bytes, link, iif, ts);
    if (timing) count++;
  };
  w.setup(sink);
  runBoth();
  for (const b of batches) b.ns = 0;
  timing = true;
  w.timed(sink);
  runBoth();
  return {
    ns: [batches[0]!.ns, batches[1]!.ns],
    packets: count,
    same: outcomeOf(engines[0]) === outcomeOf(engines[1]),
    replays: [engines[0].flowCache.replays, engines[1].flowCache.replays],
    refusals: [engines[0].flowCache.refusals, engines[1].flowCache.refusals],
  };
}

const rate = (ns: number, n: number) => `${((n / ns) * 1e3).toFixed(2)} Mpps ${(ns / n).toFixed(1)} ns/pkt`;

/** One workload's comparison in this process, as a child prints it for --processes. */
interface ProcessResult {
  readonly name: string;
  readonly ns: [number, number];
  readonly packets: number;
  readonly differ: number;
}

const processes = args.number('--processes', 1);
if (processes > 1) {
  // The same command in child processes, one at a time (--child: one JSON line per workload).
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--processes');
  const childArgs = [...argv.slice(0, at), ...argv.slice(at + 2), '--child'];
  const results = new Map<string, ProcessResult[]>();
  for (let p = 0; p < processes; p++) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, ...childArgs], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0) throw new Error(`engine-ab: process ${p + 1} failed\n${child.stderr}`);
    for (const line of child.stdout.split('\n').filter((l) => l.startsWith('{'))) {
      const r = JSON.parse(line) as ProcessResult;
      results.set(r.name, [...(results.get(r.name) ?? []), r]);
    }
  }
  for (const [name, rs] of results) {
    const ratios = rs.map((r) => r.ns[0] / r.ns[1]).sort((x, y) => x - y);
    const median =
      ratios.length % 2 === 1
        ? ratios[(ratios.length - 1) / 2]!
        : (ratios[ratios.length / 2 - 1]! + ratios[ratios.length / 2]!) / 2;
    const sum = (k: number) => rs.reduce((s, r) => s + r.ns[k]!, 0);
    const n = rs.reduce((s, r) => s + r.packets, 0);
    console.log(
      `${name.padEnd(18)} A ${rate(sum(0), n)}  B ${rate(sum(1), n)}  B/A median ${median.toFixed(3)} of ${processes} processes (${rs.map((r) => (r.ns[0] / r.ns[1]).toFixed(3)).join(' ')})  outcomes differ in ${rs.reduce((s, r) => s + r.differ, 0)} runs`,
    );
  }
  process.exit(0);
}

for (const name of workloads) {
  const w = workload(name);
  const totals = [0, 0];
  const ratios: number[] = [];
  let n = 0;
  let differ = 0;
  const replays = [0, 0];
  const refusals = [0, 0];
  // A first run, not counted, lets V8 tier both modules up.
  lockstepRun(w, false);
  for (let r = 0; r < runs; r++) {
    const { ns, packets: count, same, replays: rep, refusals: ref } = lockstepRun(w, r % 2 === 1);
    if (!same) differ++;
    replays[0]! += rep[0];
    replays[1]! += rep[1];
    refusals[0]! += ref[0];
    refusals[1]! += ref[1];
    n += count;
    totals[0]! += ns[0];
    totals[1]! += ns[1];
    ratios.push(ns[0] / ns[1]);
  }
  if (args.has('--child')) {
    const r: ProcessResult = { name, ns: [totals[0]!, totals[1]!], packets: n, differ };
    console.log(JSON.stringify(r));
    continue;
  }
  const replayed = (k: number) =>
    `${((replays[k]! / n) * 100).toFixed(0)}% replayed, ${((refusals[k]! / n) * 100).toFixed(0)}% refused`;
  console.log(
    `${name.padEnd(18)} A ${rate(totals[0]!, n)} (${replayed(0)})  B ${rate(totals[1]!, n)} (${replayed(1)})  B/A ${(totals[0]! / totals[1]!).toFixed(3)} (runs ${ratios.map((x) => x.toFixed(3)).join(' ')})  outcomes differ in ${differ} of ${runs} runs`,
  );
}
