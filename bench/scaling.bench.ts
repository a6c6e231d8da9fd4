// How the WebAssembly classifier's rate holds up as the rule count grows, measured so that a
// ratio means something on a shared machine: the classifiers of every size are built first,
// then their runs alternate (small, large, small, large, ...) in process CPU time, each timed
// run after an untimed one of the same size, and each size's best run is compared with the
// first size's, overall and round by round. Measured one after the other (`npm run bench`,
// bench/classify-wasm.bench.ts), the ratio of docker 100k to docker 100 swung from 0.45 to 0.69
// with the load between the two measurements. Issue 4's bar: the rate at 100k rules at least
// half the rate at 100.
//
//   npx tsx bench/scaling.bench.ts [--scenarios docker,kube-proxy] [--sizes 100,100000] [--runs 9] [--packets N] [--wasm FILE]

import { compile } from '../src/compiler/compile.js';
import { TableInterpreter } from '../src/compiler/interpret.js';
import { WasmClassifier } from '../src/engine/wasm/index.js';
import { BenchArgs } from './lib/args.js';
import { wasmBatches } from './lib/engines.js';
import { type ScenarioName, workload } from './lib/scenarios.js';
import { collectGarbage, cpuClockNs } from './lib/timing.js';

const args = new BenchArgs();
const scenarios = args.list('--scenarios', 'docker,kube-proxy') as ScenarioName[];
const sizes = args.list('--sizes', '100,100000').map(Number);
const runs = args.number('--runs', 9);
const packetCount = args.number('--packets', 131_072);
/** Another file of the module than the build's (a scratch build). */
const wasmFile = args.value('--wasm');

for (const scenario of scenarios) {
  const runners = sizes.flatMap((size) => {
    const w = workload(scenario, size, packetCount, 1);
    if (!w) return [];
    const table = compile(w.ruleset);
    const chain = new TableInterpreter(table).chainIndex(w.table, w.chain);
    const { classifyAll } = wasmBatches(
      new WasmClassifier(table, wasmFile ? { wasmFile } : {}),
      w.packets,
      chain,
      4096,
    );
    // Once untimed: the walk memo fills and its trial ends, as in the other benches.
    classifyAll();
    return [{ size, packets: w.packets.length, classifyAll }];
  });
  if (runners.length < 2) continue;
  collectGarbage();
  // Per round, each size's process CPU time, ns.
  const rounds: number[][] = [];
  for (let r = 0; r < runs; r++) {
    // Each turn runs its classifier once untimed: the other size's run has just pushed this
    // one's memo and table out of the caches, which a classifier running alone never sees.
    rounds.push(
      runners.map((v) => {
        v.classifyAll();
        const t = cpuClockNs();
        v.classifyAll();
        return cpuClockNs() - t;
      }),
    );
  }
  const best = runners.map((_, i) => Math.min(...rounds.map((round) => round[i]!)));
  const pps = (i: number, ns: number) => (runners[i]!.packets / ns) * 1e3;
  const first = runners[0]!;
  console.log(
    `${scenario}: ${runs} rounds of ${sizes.join(', ')} rules in turn (best of each; process CPU time)`,
  );
  runners.forEach((v, i) => {
    const mpps = pps(i, best[i]!);
    const ratio = mpps / pps(0, best[0]!);
    const perRound = rounds.map((round) => (pps(i, round[i]!) / pps(0, round[0]!)).toFixed(2));
    console.log(
      `  ${String(v.size).padStart(7)} rules  ${mpps.toFixed(2).padStart(6)} Mpps ${(1e3 / mpps).toFixed(1).padStart(6)} ns/packet  ${i === 0 ? '' : `${ratio.toFixed(2)} of ${first.size} rules (rounds: ${perRound.join(' ')})`}`,
    );
  });
}
