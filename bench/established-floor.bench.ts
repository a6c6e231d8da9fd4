// How far the engine's packet path is from the least work its cheapest packets need: the
// population workload's established, NATed TCP packets (bench/lib/population.ts) through the
// WebAssembly engine and through bench/floor/established.ts — one tight loop doing only the
// per-packet work the kernel cannot skip for such a packet (checksums, the connection's lookup,
// a window check, the timeout, NAT, the TTL, counters; listed there). Each run passes the
// same batches through the floor, then through the engine, each timed inside its WebAssembly
// call only (the copying of frames in is not). Not batch by batch in lockstep: the engine's
// batch would push the floor's table out of the caches.
// The floor is a lower bound, not a design: it checks less than the kernel does. A throughput
// bar above the floor's is out of reach of any packet path in this runtime on this machine.
//
//   npx tsx bench/established-floor.bench.ts [--connections N=1000] [--packets N=2000000] [--runs N=3]

import { WasmEngine } from '../src/engine/wasm/engine.js';
import { BenchArgs } from './lib/args.js';
import { buildFloorModule, EstablishedFloor, type FloorModule } from './lib/established-floor.js';
import { TimedBatches } from './lib/path.js';
import { populationTraffic, populationWorkload } from './lib/population.js';

const args = new BenchArgs();
const connections = args.number('--connections', 1000);
const packets = args.number('--packets', 2_000_000);
const runs = args.number('--runs', 3);
const BATCH_FRAMES = 2048;

interface Timed {
  readonly frames: Uint8Array[];
  readonly iifs: string[];
  readonly times: bigint[];
}

const workload = populationWorkload(connections);
const open: Array<[Uint8Array, string, bigint]> = [];
const timed: Timed = { frames: [], iifs: [], times: [] };
populationTraffic(
  workload,
  connections,
  packets,
  1,
  (b, iif, ts) => open.push([b.slice(), iif, ts]),
  (b, iif, ts) => {
    timed.frames.push(b.slice());
    timed.iifs.push(iif);
    timed.times.push(ts);
  },
);

/** The timed frames as batches: [first, n) pairs of at most BATCH_FRAMES that fit the engine's frame area. */
function batchesOf(engine: WasmEngine): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let first = 0; first < timed.frames.length; ) {
    let n = 0;
    let bytes = 0;
    while (first + n < timed.frames.length && n < BATCH_FRAMES) {
      bytes += timed.frames[first + n]!.length;
      if (bytes > engine.freeBytes) break;
      n++;
    }
    out.push([first, n]);
    first += n;
  }
  return out;
}

/** A fresh floor over every batch; ns inside its run(). */
function floorPass(module: FloorModule, batches: ReadonlyArray<[number, number]>): number {
  const floor = new EstablishedFloor(module, timed.frames, connections, BATCH_FRAMES);
  let ns = 0;
  for (const [first, n] of batches) ns += floor.run(timed.frames, timed.times, first, n);
  // A packet the floor turns away is work it did not do: the figure would be no floor.
  if (floor.invalid !== 0 || floor.counted !== timed.frames.length)
    throw new Error(`established floor: ${floor.invalid} packets invalid, ${floor.counted} counted`);
  return ns;
}

/** A fresh engine: the handshakes (not timed), then every batch; ns inside run(). */
function enginePass(): number {
  const engine = new WasmEngine(workload.ruleset, workload.host, { seed: 1 });
  const batches = new TimedBatches(engine);
  for (const [b, iif, ts] of open) {
    if (!engine.fits(b.length)) batches.run();
    engine.add(b, 'ethernet', iif, ts);
  }
  batches.run();
  batches.ns = 0;
  for (const [first, n] of batchesOf(engine)) {
    for (let k = first; k < first + n; k++)
      engine.add(timed.frames[k]!, 'ethernet', timed.iifs[k]!, timed.times[k]!);
    batches.run();
  }
  return batches.ns;
}

const line = (name: string, ns: number) =>
  `${name.padEnd(28)} ${(1e3 / ns).toFixed(2).padStart(7)} Mpps ${ns.toFixed(1).padStart(8)} ns/packet`;
console.log(
  `${timed.frames.length} established packets over ${connections} connections (population workload, Docker host), ${runs} runs`,
);
const floorModule = buildFloorModule();
const batches = batchesOf(new WasmEngine(workload.ruleset, workload.host, { seed: 1 }));
for (let r = 0; r <= runs; r++) {
  const floorNs = floorPass(floorModule, batches);
  const engineNs = enginePass();
  if (r === 0) continue; // warm-up
  const n = timed.frames.length;
  console.log(`run ${r}`);
  console.log(line('  floor (least work)', floorNs / n));
  console.log(line('  engine, inside run()', engineNs / n));
  console.log(`  engine/floor ${(engineNs / floorNs).toFixed(2)}x`);
}
