// ClassBench classification throughput: filter sets from ../shared/corpus (acl1, fw1, ipc1 at
// 1k and 10k rules, plus the first 100 rules of each 1k set), packets drawn from the filters
// (src/frontend/classbench/trace-generator.ts), walked from filter FORWARD. Prints compile time,
// table size, index count and the WebAssembly classifier's and the table interpreter's rate.
//
//   npx tsx bench/classbench.bench.ts
//   npx tsx bench/classbench.bench.ts --sets acl1 --sizes 10k --packets 200000 --no-index

import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { compile } from '../src/compiler/compile.js';
import { Section } from '../src/compiler/format.js';
import { type InterpretCallbacks, TableInterpreter } from '../src/compiler/interpret.js';
import { CONTINUE } from '../src/engine/verdict.js';
import { ResultKind, WasmClassifier } from '../src/engine/wasm/index.js';
import {
  filtersToRuleset,
  generateTrace,
  parseFilters,
  tuplePacket,
} from '../src/frontend/classbench/index.js';
import { BenchArgs } from './lib/args.js';
import { benchContext, enginePacket } from './lib/packets.js';
import { CLASSBENCH_DIR as CORPUS } from './lib/scenarios.js';
import { bestNs as best, formatPps as fmt, nsPerPacket as ns } from './lib/timing.js';

const args = new BenchArgs();
const sets = args.list('--sets', 'acl1,fw1,ipc1');
const sizes = args.list('--sizes', '100,1k,10k');
const packetCount = args.number('--packets', 200_000);
const interpPackets = args.number('--interp-packets', 5000);
const batchSize = 4096;
const indexes = !args.has('--no-index');

console.log(
  `ClassBench benchmark: packets from the filters (seed 1, 5% uniform), filter FORWARD, batch ${batchSize}, indexes ${indexes ? 'on' : 'off'}; node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  'set        rules  compile ms  table KiB  indexes  wasm pps (ns/pkt)      interp pps (ns/pkt)    undecided',
);
for (const set of sets)
  for (const size of sizes) {
    const file = join(CORPUS, `${set}_${size === '100' ? '1k' : size}`);
    if (!existsSync(file)) {
      console.log(`${set}_${size}: not in the corpus`);
      continue;
    }
    let filters = parseFilters(readFileSync(file, 'utf8'), file);
    if (size === '100') filters = filters.slice(0, 100);
    const ruleset = filtersToRuleset(filters, { file });
    let table = compile(ruleset, undefined, { indexes });
    const compileMs =
      best(3, () => {
        table = compile(ruleset, undefined, { indexes });
      }) / 1e6;
    const packets = generateTrace(filters, packetCount, { seed: 1 }).map(tuplePacket);
    const wasm = new WasmClassifier(table);
    const interp = new TableInterpreter(table);
    const chain = interp.chainIndex('filter', 'FORWARD');
    const batches: ReturnType<WasmClassifier['batch']>[] = [];
    for (let i = 0; i < packets.length; i += batchSize) {
      const b = wasm.batch(batchSize, batchSize * 64);
      for (const p of packets.slice(i, i + batchSize)) b.add(p, { chain, iif: 'eth0', oif: 'eth1', mark: 0 });
      batches.push(b);
    }
    const run = () => {
      for (const b of batches) wasm.classify(b);
    };
    run();
    const wasmPps = packets.length / (best(5, run) / 1e9);
    let undecided = 0;
    for (const b of batches) {
      const r = b.results();
      for (let i = 0; i < b.count; i++) if (r[2 * i]! >>> 8 >= ResultKind.UNDECIDED_RULE) undecided++;
    }
    const slow = packets.slice(0, interpPackets).map((p) => enginePacket(p, 'eth0', 'eth1'));
    const ctx = benchContext('forward', 'filter');
    const cb: InterpretCallbacks = { target: () => CONTINUE, count: () => {} };
    const walkAll = () => {
      for (const p of slow) {
        ctx.packet = p;
        interp.walk(chain, ctx, p.bytes.length, cb, { useIndexes: indexes });
      }
    };
    walkAll();
    const interpPps = slow.length / (best(3, walkAll) / 1e9);
    const name = `${set}_${size}`;
    console.log(
      `${name.padEnd(10)} ${String(filters.length).padEnd(6)} ${compileMs.toFixed(1).padEnd(11)} ${(table.buffer.byteLength / 1024).toFixed(0).padEnd(10)} ${String(table.counts[Section.INDEXES]).padEnd(8)} ${`${fmt(wasmPps)} (${ns(wasmPps)})`.padEnd(22)} ${`${fmt(interpPps)} (${ns(interpPps)})`.padEnd(22)} ${undecided}`,
    );
  }
