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

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WasmEngine } from '../src/engine/wasm/engine.js';
import { BenchArgs } from './lib/args.js';
import { TimedBatches } from './lib/path.js';
import { populationTraffic, populationWorkload } from './lib/population.js';

const args = new BenchArgs();
const connections = args.number('--connections', 1000);
const packets = args.number('--packets', 2_000_000);
const runs = args.number('--runs', 3);
const BATCH_FRAMES = 2048;

// The project's lib (es2023, no DOM) has no WebAssembly types: the little used here.
interface FloorModule {
  readonly kind: 'module';
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => FloorModule;
  readonly Instance: new (m: FloorModule, imports: object) => { readonly exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface FloorExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  setUp(connections: number, maxFrames: number, frameBytes: number): number;
  recordsAt(): number;
  track(src: number, dst: number, ports: number, addr: number, port: number): void;
  run(n: number): number;
  counted(): bigint;
}

/**
 * bench/floor/established.ts built as the engine's release build is (asconfig.json), compiled
 * once: each run's instance then shares the code V8 optimized in the runs before it.
 */
function buildFloor(): FloorModule {
  const dir = mkdtempSync(join(tmpdir(), 'nfwasm-floor-'));
  try {
    const out = join(dir, 'floor.wasm');
    execFileSync(
      process.execPath,
      [
        join(import.meta.dirname, '../node_modules/assemblyscript/bin/asc.js'),
        join(import.meta.dirname, 'floor/established.ts'),
        '--optimizeLevel',
        '3',
        '--shrinkLevel',
        '0',
        '--noAssert',
        '--runtime',
        'stub',
        '--enable',
        'simd',
        '-o',
        out,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    return new WA.Module(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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

/** The floor's connections: every direction the timed frames take, each NATed to one address. */
function trackAll(floor: FloorExports): void {
  for (const f of timed.frames) {
    const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
    floor.track(v.getUint32(26, true), v.getUint32(30, true), v.getUint32(34, true), 0xac110002, 8080);
  }
}

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

/** The floor over every batch (a fresh floor, its connections tracked); ns inside run(). */
function floorPass(
  floor: FloorExports,
  batches: ReadonlyArray<[number, number]>,
): { ns: number; invalid: number } {
  const area = floor.setUp(connections, BATCH_FRAMES, BATCH_FRAMES * 1600);
  trackAll(floor);
  let ns = 0;
  let invalid = 0;
  for (const [first, n] of batches) {
    const bytes = new Uint8Array(floor.memory.buffer);
    const words = new Uint32Array(floor.memory.buffer);
    const records = floor.recordsAt() >>> 2;
    let at = 0;
    for (let k = 0; k < n; k++) {
      const f = timed.frames[first + k]!;
      bytes.set(f, area + at);
      const t = timed.times[first + k]!;
      const r = records + k * 4;
      words[r] = at;
      words[r + 1] = f.length;
      words[r + 2] = Number(t & 0xffffffffn);
      words[r + 3] = Number(t >> 32n);
      at += f.length;
    }
    const t0 = process.hrtime.bigint();
    invalid = floor.run(n);
    ns += Number(process.hrtime.bigint() - t0);
  }
  if (Number(floor.counted()) + invalid === 0) throw new Error('established floor: no packet counted');
  return { ns, invalid };
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
function instantiate(module: FloorModule): FloorExports {
  const abort = () => {
    throw new Error('established floor: abort');
  };
  return new WA.Instance(module, { env: { abort } }).exports as unknown as FloorExports;
}

const floorModule = buildFloor();
const batches = batchesOf(new WasmEngine(workload.ruleset, workload.host, { seed: 1 }));
for (let r = 0; r <= runs; r++) {
  const { ns: floorNs, invalid } = floorPass(instantiate(floorModule), batches);
  const engineNs = enginePass();
  if (r === 0) continue; // warm-up
  const n = timed.frames.length;
  console.log(`run ${r}`);
  console.log(line('  floor (least work)', floorNs / n));
  console.log(line('  engine, inside run()', engineNs / n));
  console.log(
    `  engine/floor ${(engineNs / floorNs).toFixed(2)}x; ${invalid} packets the floor found invalid`,
  );
}
