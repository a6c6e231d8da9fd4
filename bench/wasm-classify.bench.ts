// Classification throughput: the WebAssembly classifier (one classify call per batch) vs the
// TypeScript table interpreter vs the reference walk (table-walk.ts over the IR), on generated
// kube-proxy dumps (`simple` layout, so every packet is decided in WebAssembly), packets aimed
// at the service IPs and ports, walked from nat PREROUTING. (`npm run bench` measures this and
// the other scenarios together, with the linear-scan baseline and the decode-only floor.)
//
//   npx tsx bench/wasm-classify.bench.ts                       100 / 1k / 10k / 100k rules
//   npx tsx bench/wasm-classify.bench.ts --sizes 1000 --packets 100000 --batch 4096

import { loadavg } from 'node:os';
import { compile } from '../src/compiler/compile.js';
import { type InterpretCallbacks, TableInterpreter } from '../src/compiler/interpret.js';
import { MATCH_EVALUATORS } from '../src/engine/reference/matches/index.js';
import type { EnginePacket } from '../src/engine/reference/packet.js';
import { walkTable } from '../src/engine/reference/table-walk.js';
import { ACCEPT, CONTINUE } from '../src/engine/verdict.js';
import { ResultKind, WasmClassifier } from '../src/engine/wasm/index.js';
import { parseIptablesSave } from '../src/frontend/iptables/restore-parser.js';
import type { Match } from '../src/ir/match.js';
import type { Rule, Ruleset } from '../src/ir/ruleset.js';
import { generateKubeProxyDump } from './generate/kube-proxy.js';
import { BenchArgs } from './lib/args.js';
import { benchContext, kubeServicePackets } from './lib/packets.js';
import { bestNs, formatPps as fmt, nsPerPacket as ns } from './lib/timing.js';

const args = new BenchArgs();
const sizes = args.list('--sizes', '100,1000,10000,100000').map(Number);
const seed = args.number('--seed', 1);
const packetCount = args.number('--packets', 200_000);
const batchSize = args.number('--batch', 4096);

function referencePps(ruleset: Ruleset, packets: EnginePacket[]): number {
  const table = ruleset.tables.find((t) => t.name === 'nat')!;
  const chain = table.chains.find((c) => c.name === 'PREROUTING')!;
  const ctx = benchContext('prerouting', 'nat');
  const cb = {
    match: (m: Match, rule: Rule) => MATCH_EVALUATORS[m.kind].test(m as never, ctx, rule),
    target: () => CONTINUE,
    count: () => {},
  };
  const run = () => {
    for (const p of packets) {
      ctx.packet = p;
      walkTable(table, chain, p.bytes.length, cb);
    }
  };
  run();
  return packets.length / (bestNs(3, run) / 1e9);
}

function interpreterPps(interp: TableInterpreter, packets: EnginePacket[]): number {
  const chain = interp.chainIndex('nat', 'PREROUTING');
  const ctx = benchContext('prerouting', 'nat');
  const cb: InterpretCallbacks = { target: (t) => (t.kind === 'DNAT' ? ACCEPT : CONTINUE), count: () => {} };
  const run = () => {
    for (const p of packets) {
      ctx.packet = p;
      interp.walk(chain, ctx, p.bytes.length, cb);
    }
  };
  run();
  return packets.length / (bestNs(3, run) / 1e9);
}

/** Batches filled once (the fill is the trace reader's job); timed: the classify calls. */
function wasmPps(
  wasm: WasmClassifier,
  chain: number,
  packets: EnginePacket[],
): { pps: number; fillPps: number; undecided: number } {
  const batches = [] as ReturnType<WasmClassifier['batch']>[];
  const fill = bestNs(1, () => {
    for (let i = 0; i < packets.length; i += batchSize) {
      const b = wasm.batch(batchSize, batchSize * 64);
      for (const p of packets.slice(i, i + batchSize))
        b.add(p.bytes, { chain, iif: p.iif, oif: p.oif, mark: p.mark });
      batches.push(b);
    }
  });
  const run = () => {
    for (const b of batches) wasm.classify(b);
  };
  run();
  let undecided = 0;
  for (const b of batches) {
    const r = b.results();
    for (let i = 0; i < b.count; i++) if (r[2 * i]! >>> 8 >= ResultKind.UNDECIDED_RULE) undecided++;
  }
  return { pps: packets.length / (bestNs(5, run) / 1e9), fillPps: packets.length / (fill / 1e9), undecided };
}

console.log(
  `wasm classify benchmark: kube-proxy (simple) dumps, seed ${seed}, packets to service ports via nat PREROUTING, batch ${batchSize}; node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  'rules    packets   wasm pps (ns/pkt)      interp pps (ns/pkt)    reference pps (ns/pkt)  wasm/interp  wasm/ref  undecided  batch fill pps',
);
for (const size of sizes) {
  const dump = generateKubeProxyDump({ rules: size, seed, simple: true });
  const ruleset = parseIptablesSave(dump.text, { file: 'kube-proxy.v4', family: 'ipv4' });
  const table = compile(ruleset);
  const n = size >= 100_000 ? Math.min(packetCount, 20_000) : packetCount;
  const packets = kubeServicePackets(ruleset, n, seed);
  const interp = new TableInterpreter(table);
  const wasm = new WasmClassifier(table);
  const w = wasmPps(wasm, interp.chainIndex('nat', 'PREROUTING'), packets);
  const slow = packets.slice(0, size >= 10_000 ? Math.min(n, 2000) : Math.min(n, 20_000));
  const i = interpreterPps(interp, slow);
  const r = referencePps(ruleset, slow);
  console.log(
    `${String(dump.rules).padEnd(8)} ${String(n).padEnd(9)} ${`${fmt(w.pps)} (${ns(w.pps)})`.padEnd(22)} ${`${fmt(i)} (${ns(i)})`.padEnd(22)} ${`${fmt(r)} (${ns(r)})`.padEnd(23)} ${`${(w.pps / i).toFixed(1)}x`.padEnd(12)} ${`${(w.pps / r).toFixed(0)}x`.padEnd(9)} ${String(w.undecided).padEnd(10)} ${fmt(w.fillPps)}`,
  );
}
