// Compile-time and interpreter-throughput benchmark of the compiled table on generated
// kube-proxy dumps.
//
//   npx tsx bench/compile.bench.ts                1k / 10k / 100k rules
//   npx tsx bench/compile.bench.ts --sizes 1000,10000 --packets 20000 --seed 7
//
// For each size: compile time (best of runs, indexes on), the table's size and index count, and
// the TypeScript interpreter's packets/s through nat PREROUTING (KUBE-SERVICES → KUBE-SVC →
// KUBE-SEP → DNAT) with and without the classification indexes, for packets to random
// service ports. Acceptance later (WebAssembly engine): 100k rules compile in < 1 s.

import { loadavg } from 'node:os';
import { compile } from '../src/compiler/compile.js';
import { type InterpretCallbacks, TableInterpreter } from '../src/compiler/interpret.js';
import type { EnginePacket } from '../src/engine/reference/packet.js';
import { ACCEPT, CONTINUE } from '../src/engine/verdict.js';
import { parseIptablesSave } from '../src/frontend/iptables/restore-parser.js';
import { generateKubeProxyDump, Prng } from './generate/kube-proxy.js';
import { BenchArgs } from './lib/args.js';
import { benchContext, kubeServicePackets } from './lib/packets.js';
import { bestMs as best } from './lib/timing.js';

const args = new BenchArgs();
const sizes = args.list('--sizes', '1000,10000,100000').map(Number);
const seed = args.number('--seed', 1);
const packetCount = args.number('--packets', 20000);

function throughput(interp: TableInterpreter, packets: EnginePacket[], useIndexes: boolean): number {
  const chain = interp.chainIndex('nat', 'PREROUTING');
  const prng = new Prng(seed);
  const ctx = benchContext('prerouting', 'nat', () => prng.nextU32());
  const cb: InterpretCallbacks = {
    target: (t) => (t.kind === 'DNAT' ? ACCEPT : CONTINUE),
    count: () => {},
  };
  const run = () => {
    for (const p of packets) {
      ctx.packet = { ...p };
      interp.walk(chain, ctx, p.bytes.length, cb, { useIndexes });
    }
  };
  run(); // warm up (and decode the extern params once)
  const { ms } = best(3, run);
  return packets.length / (ms / 1000);
}

console.log(
  `compiled table benchmark: kube-proxy dumps, seed ${seed}, ${packetCount} packets to service ports; node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  'rules    compile ms  (parse ms)  table KiB  indexes  interpreter pps: indexed / linear   speed-up',
);
for (const size of sizes) {
  const dump = generateKubeProxyDump({ rules: size, seed });
  const parsed = best(1, () => parseIptablesSave(dump.text, { file: 'kube-proxy.v4', family: 'ipv4' }));
  const ruleset = parsed.value;
  const compiled = best(size >= 100_000 ? 3 : 5, () => compile(ruleset), true);
  const linearTable = compile(ruleset, undefined, { indexes: false });
  const packets = kubeServicePackets(
    ruleset,
    size >= 100_000 ? Math.min(packetCount, 2000) : packetCount,
    seed,
  );
  const indexed = throughput(new TableInterpreter(compiled.value), packets, true);
  const linear = throughput(new TableInterpreter(linearTable), packets, false);
  console.log(
    `${String(dump.rules).padEnd(8)} ${compiled.ms.toFixed(1).padStart(10)}  ${parsed.ms.toFixed(0).padStart(9)}  ` +
      `${(compiled.value.buffer.byteLength / 1024).toFixed(0).padStart(9)}  ${String(compiled.value.sections[12][0]).padStart(7)}  ` +
      `${indexed.toFixed(0).padStart(17)} / ${linear.toFixed(0).padEnd(10)} ${(indexed / linear).toFixed(1)}x`,
  );
}
