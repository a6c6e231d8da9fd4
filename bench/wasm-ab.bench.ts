// Two builds of the WebAssembly classifier on the same compiled tables and packets, in one
// process, runs interleaved (A, B, A, B, ...), best of --runs in process CPU time: on a shared
// machine the other processes' load then weighs on both alike, and the ratio holds where the
// absolute figures swing. Every packet's result words must agree.
//
//   cp build/release.wasm /tmp/before.wasm   # ... change assembly/, npm run asbuild:release
//   npx tsx bench/wasm-ab.bench.ts /tmp/before.wasm build/release.wasm --scenarios kube-proxy,fw1 --sizes 100,10000

import { compile } from '../src/compiler/compile.js';
import { TableInterpreter } from '../src/compiler/interpret.js';
import { WasmClassifier } from '../src/engine/wasm/index.js';
import { BenchArgs } from './lib/args.js';
import { wasmBatches } from './lib/engines.js';
import { type ScenarioName, workload } from './lib/scenarios.js';
import { collectGarbage } from './lib/timing.js';

const args = new BenchArgs();
const [fileA, fileB] = process.argv.slice(2);
if (!fileA || !fileB || fileA.startsWith('--') || fileB.startsWith('--'))
  throw new Error('usage: wasm-ab.bench.ts A.wasm B.wasm [--scenarios LIST] [--sizes LIST] [--runs N]');
const scenarios = args.list('--scenarios', 'kube-proxy,docker,acl1,fw1,ipc1') as ScenarioName[];
const sizes = args.list('--sizes', '100,10000').map(Number);
const runs = args.number('--runs', 9);
const packetCount = args.number('--packets', 131_072);
const batchSize = 4096;

for (const scenario of scenarios)
  for (const size of sizes) {
    const w = workload(scenario, size, packetCount, 1);
    if (!w) continue;
    const table = compile(w.ruleset);
    const chain = new TableInterpreter(table).chainIndex(w.table, w.chain);
    const build = (file: string) => {
      const wasm = new WasmClassifier(table, { wasmFile: file });
      const { batches, classifyAll: all } = wasmBatches(wasm, w.packets, chain, batchSize);
      return { all, batches };
    };
    const a = build(fileA);
    const b = build(fileB);
    collectGarbage();
    a.all();
    b.all();
    const cpu = (f: () => void) => {
      const u0 = process.cpuUsage();
      f();
      const u = process.cpuUsage(u0);
      return u.user + u.system;
    };
    let bestA = Number.POSITIVE_INFINITY;
    let bestB = Number.POSITIVE_INFINITY;
    for (let r = 0; r < runs; r++) {
      bestA = Math.min(bestA, cpu(a.all));
      bestB = Math.min(bestB, cpu(b.all));
    }
    let differ = 0;
    a.batches.forEach((batch, k) => {
      const ra = batch.results();
      const rb = b.batches[k]!.results();
      for (let i = 0; i < 2 * batch.count; i++) if (ra[i] !== rb[i]) differ++;
    });
    const n = w.packets.length;
    const rate = (us: number) => `${(n / us).toFixed(2)} Mpps ${((us * 1000) / n).toFixed(1)} ns/pkt`;
    console.log(
      `${scenario.padEnd(10)} ${String(size).padStart(6)}  A ${rate(bestA)}  B ${rate(bestB)}  B/A ${(bestA / bestB).toFixed(3)}  differ ${differ}`,
    );
  }
