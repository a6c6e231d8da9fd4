// Whole-packet throughput of the WebAssembly engine against the reference engine, in one run:
// the routed Docker fixture (test/fixtures/wasm-engine/: conntrack, DNAT, MASQUERADE), a seeded
// `nfwasm gen` trace without the host's own packets (the path has no OUTPUT side yet), frames
// preloaded. The reference engine runs the trace once; the WebAssembly engine runs it REPEAT
// times with time shifted by the trace's span, so connections age and renew as in a long trace.
// (`npm run bench` measures the same path on generated Docker hosts of 10 to 10k rules.)
// `bridged`: the same rules on the bundled example's host (examples/docker-host/host.json), whose
// containers sit behind veth ports of docker0, so their frames go through the bridge first.
//
//   npx tsx bench/wasm-engine.bench.ts [PACKETS=20000] [REPEAT=20] [routed|bridged]

import { join } from 'node:path';
import { ReferenceEngine } from '../src/engine/reference/engine.js';
import { WasmEngine } from '../src/engine/wasm/engine.js';
import { ROUTED_HOST, routedDockerTrace, runWasm } from './lib/path.js';

const packets = Number(process.argv[2] ?? 20_000);
const repeat = Number(process.argv[3] ?? 20);
const bridged = process.argv[4] === 'bridged';
const { ruleset, host, frames } = routedDockerTrace(
  packets,
  bridged ? join(import.meta.dirname, '../examples/docker-host/host.json') : ROUTED_HOST,
);

const t0 = process.hrtime.bigint();
const ref = new ReferenceEngine(ruleset, host, { seed: 1 });
for (const f of frames) ref.process(f);
const refNs = Number(process.hrtime.bigint() - t0) / frames.length;

const wasm = new WasmEngine(ruleset, host, { seed: 1 });
const { totalNs, batchNs } = runWasm(wasm, frames, repeat);
const n = frames.length * repeat;
const wasmNs = totalNs / n;
const line = (name: string, ns: number, count: number) =>
  `${name.padEnd(34)} ${count.toString().padStart(9)} packets ${(1e3 / ns).toFixed(3).padStart(8)} Mpps ${ns.toFixed(1).padStart(10)} ns/packet`;
console.log(
  `${bridged ? 'bridged (containers on docker0 ports)' : 'routed'} Docker host, ${frames.length}-packet trace (gen seed 1, no @local packets)`,
);
console.log(line('reference engine', refNs, frames.length));
console.log(line(`wasm engine (${repeat}x, fed as replay does)`, wasmNs, n));
console.log(line('wasm engine, receiveBatch only', batchNs / n, n));
const { hits, misses } = wasm.walkMemo;
const flow = wasm.flowCache;
console.log(
  `wasm/reference ${(refNs / wasmNs).toFixed(0)}x; ${wasm.hostQueries} host questions crossed into JavaScript; walk memo ${hits} hits, ${misses} misses; flow cache ${flow.hits} hits, ${flow.replays} replays (${((flow.replays / n) * 100).toFixed(0)}% of packets), ${flow.refusals} refused flows' packets dropped (${((flow.refusals / n) * 100).toFixed(0)}%)`,
);
