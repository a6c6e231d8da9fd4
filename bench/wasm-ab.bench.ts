// Two builds of the WebAssembly classifier on the same compiled tables and packets, in one
// process, runs interleaved (A, B, A, B, ...), best of --runs in process CPU time: on a shared
// machine the other processes' load then weighs on both alike, and the ratio holds where the
// absolute figures swing. Each build runs as two instances made in opposite orders, and the two
// ratios are printed: they differ by the instances' placement alone. Every packet's result
// words must agree.
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
    // Two instances of each, made in opposite orders (A B, then B A): where an instance's memory
    // lands moves a large table's speed by as much as 20% on a shared machine, so a ratio only
    // counts where both pairs agree.
    const a = build(fileA);
    const b = build(fileB);
    const b2 = build(fileB);
    const a2 = build(fileA);
    collectGarbage();
    const cpu = (f: () => void) => {
      const u0 = process.cpuUsage();
      f();
      const u = process.cpuUsage(u0);
      return u.user + u.system;
    };
    const all = [a, b, b2, a2];
    for (const v of all) v.all();
    const best = all.map(() => Number.POSITIVE_INFINITY);
    for (let r = 0; r < runs; r++)
      all.forEach((v, i) => {
        best[i] = Math.min(best[i]!, cpu(v.all));
      });
    const [bestA, bestB, bestB2, bestA2] = best as [number, number, number, number];
    let differ = 0;
    a.batches.forEach((batch, k) => {
      const ra = batch.results();
      const rb = b.batches[k]!.results();
      for (let i = 0; i < 2 * batch.count; i++) if (ra[i] !== rb[i]) differ++;
    });
    const n = w.packets.length;
    const rate = (us: number) => `${(n / us).toFixed(2)} Mpps ${((us * 1000) / n).toFixed(1)} ns/pkt`;
    console.log(
      `${scenario.padEnd(10)} ${String(size).padStart(6)}  A ${rate(Math.min(bestA, bestA2))}  B ${rate(Math.min(bestB, bestB2))}  B/A ${(bestA / bestB).toFixed(3)} and ${(bestA2 / bestB2).toFixed(3)} (made A B, B A)  differ ${differ}`,
    );
  }
