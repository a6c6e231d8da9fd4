// The WebAssembly classifier alone on the bench scenarios, for quick iteration on the
// classification structures: compile time, table bytes per rule, Mpps and ns/packet (best of
// --runs, process CPU time, so a shared machine's other work counts less) as the library runs
// it (walk memo on: the share of packets it replayed) and walking every packet, and a
// check that every packet's deciding rule equals the interpreter's linear walk (no indexes).
// `npm run bench` measures the same workloads with every engine.
//
//   npx tsx bench/classify-wasm.bench.ts --scenarios fw1,ipc1 --sizes 10000 [--packets N] [--runs N]

import { compile } from '../src/compiler/compile.js';
import { Section } from '../src/compiler/format.js';
import { type InterpretCallbacks, TableInterpreter } from '../src/compiler/interpret.js';
import { ACCEPT } from '../src/engine/verdict.js';
import { WasmClassifier } from '../src/engine/wasm/index.js';
import { BenchArgs } from './lib/args.js';
import { wasmBatches } from './lib/engines.js';
import { benchContext } from './lib/packets.js';
import { type ScenarioName, workload } from './lib/scenarios.js';
import { bestMs } from './lib/timing.js';

const args = new BenchArgs();
const scenarios = args.list('--scenarios', 'kube-proxy,acl1,fw1,ipc1') as ScenarioName[];
const sizes = args.list('--sizes', '10,100,1000,10000').map(Number);
const packetCount = args.number('--packets', 131_072);
const runs = args.number('--runs', 9);
const checked = args.number('--check', 4096);
const batchSize = 4096;

for (const scenario of scenarios)
  for (const size of sizes) {
    const w = workload(scenario, size, packetCount, 1);
    if (!w) continue;
    const compiled = bestMs(size >= 50_000 ? 2 : 3, () => compile(w.ruleset), true);
    const table = compiled.value;
    const interp = new TableInterpreter(table);
    const chain = interp.chainIndex(w.table, w.chain);
    // The classifier as the library makes it (walk memo on), and walking every packet, their
    // runs taken in turn: timed one after the other, the first lost up to a third to V8 still
    // optimising the module's code (fw1 10k 3.4 against 4.9 Mpps, 2026-11-22).
    const made = [true, false].map((memo) => {
      const wasm = new WasmClassifier(table, { memo });
      const { batches, classifyAll } = wasmBatches(wasm, w.packets, chain, batchSize);
      classifyAll();
      return { wasm, batches, classifyAll, before: wasm.walkMemo.hits, best: Number.POSITIVE_INFINITY };
    });
    for (let r = 0; r < runs; r++) {
      for (const m of r % 2 === 0 ? made : [...made].reverse()) {
        // CPU time, not wall time: on a shared machine, time the process was not running is not ours.
        const u0 = process.cpuUsage();
        m.classifyAll();
        const u = process.cpuUsage(u0);
        m.best = Math.min(m.best, u.user + u.system);
      }
    }
    const rate = (m: (typeof made)[number]) => w.packets.length / (m.best / 1e6);
    const [memoOn, memoOff] = made as [(typeof made)[0], (typeof made)[0]];
    const pps = rate(memoOn);
    const batches = memoOn.batches;
    const replayed = (memoOn.wasm.walkMemo.hits - memoOn.before) / (runs * w.packets.length);
    const walk = { pps: rate(memoOff) };
    // Deciding rule (or policy) of the first packets against the linear walk.
    const ctx = benchContext(w.hook, w.table);
    const cb: InterpretCallbacks = { target: () => ACCEPT, count: () => {} };
    let differ = 0;
    const n = Math.min(checked, w.packets.length);
    for (let i = 0; i < n; i++) {
      const b = batches[Math.floor(i / batchSize)]!;
      const r = b.results();
      const k = i % batchSize;
      const p = w.packets[i]!;
      ctx.packet = p;
      const want = interp.walk(chain, ctx, p.bytes.length, cb, { useIndexes: false }).decidedBy;
      const got = r[2 * k + 1]!;
      const wantId = want.kind === 'rule' ? want.rule : want.chain;
      if (got !== wantId) differ++;
    }
    const bytes = table.buffer.byteLength;
    console.log(
      `${scenario.padEnd(10)} ${String(size).padStart(6)}: ${(pps / 1e6).toFixed(2).padStart(6)} Mpps ${(1e9 / pps).toFixed(1).padStart(7)} ns/pkt (memo replayed ${(100 * replayed).toFixed(0)}%; walking every packet ${(walk.pps / 1e6).toFixed(2)} Mpps ${(1e9 / walk.pps).toFixed(1)} ns/pkt)  compile ${compiled.ms.toFixed(0).padStart(5)} ms  ${(bytes / table.counts[Section.RULES]).toFixed(0)} B/rule  differ ${differ}/${n}`,
    );
  }
