// Where the whole path's time goes, by what becomes of the packets: the routed Docker fixture's
// trace (as bench/wasm-engine.bench.ts) split by each frame's fate on a first pass (forwarded,
// or dropped by which rule or policy), each part then replayed REPEAT times through an engine of
// its own, in one process. Packets the firewall drops after conntrack made them an entry cost
// the whole way (entry, NAT null binding, every walk) and the flow cache never replays them;
// this shows how much of the trace they are and what each costs against the forwarded ones.
//
//   npx tsx bench/path-fates.bench.ts [PACKETS=20000] [REPEAT=20]

import { WasmEngine } from '../src/engine/wasm/engine.js';
import { type Frame, routedDockerTrace, runWasm } from './lib/path.js';

const packets = Number(process.argv[2] ?? 20_000);
const repeat = Number(process.argv[3] ?? 20);
const { ruleset, host, frames } = routedDockerTrace(packets);

// One frame a batch, so that each result is read before the next frame runs.
const probe = new WasmEngine(ruleset, host, { seed: 1, batchSize: 1 });
const parts = new Map<string, Frame[]>();
for (const f of frames) {
  probe.add(f.bytes, f.linkType, f.iif, f.timestampNs);
  probe.run();
  const { fate } = probe.result(0);
  // "filter INPUT #2 DROP <file>:19" without the file: the rule or policy that dropped it.
  const part = fate.kind === 'dropped' ? fate.reason.replace(/ \S*:\d+$/, '') : fate.kind;
  probe.clear();
  const list = parts.get(part) ?? [];
  list.push(f);
  parts.set(part, list);
}

console.log(
  `routed Docker host, ${frames.length}-packet trace (gen seed 1), each part ${repeat}x in an engine of its own`,
);
const rows = [...parts].sort((a, b) => b[1].length - a[1].length);
const line = (part: string, count: number, ns: number, replayed: number) =>
  `${part.padEnd(30)} ${count.toString().padStart(7)} packets (${((100 * count) / frames.length).toFixed(0).padStart(3)}%) ${(1e3 / ns).toFixed(3).padStart(7)} Mpps ${ns.toFixed(0).padStart(6)} ns/packet (receiveBatch)  flow cache replayed ${(100 * replayed).toFixed(0)}%`;
let weighted = 0;
for (const [part, list] of [['whole trace', frames] as const, ...rows]) {
  const engine = new WasmEngine(ruleset, host, { seed: 1 });
  const { batchNs } = runWasm(engine, list, repeat);
  const n = list.length * repeat;
  const ns = batchNs / n;
  if (list !== frames) weighted += (ns * list.length) / frames.length;
  console.log(line(part, list.length, ns, engine.flowCache.replays / n));
}
// A check on the run: the parts weighted by their shares against the whole trace (on a shared
// machine they have differed by a fifth either way from one run to the next).
console.log(`the parts' costs weighted by their shares: ${weighted.toFixed(0)} ns/packet`);
