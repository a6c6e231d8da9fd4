// Whole-packet throughput of the WebAssembly engine against the reference engine, in one run:
// the routed Docker fixture (test/fixtures/wasm-engine/: conntrack, DNAT, MASQUERADE), a seeded
// `nfwasm gen` trace without the host's own packets (the path has no OUTPUT side yet), frames
// preloaded. The reference engine runs the trace once; the WebAssembly engine runs it REPEAT
// times with time shifted by the trace's span, so connections age and renew as in a long trace.
//
//   npx tsx bench/wasm-engine.bench.ts [PACKETS=20000] [REPEAT=20]

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReferenceEngine } from '../src/engine/reference/engine.js';
import { WasmEngine } from '../src/engine/wasm/engine.js';
import { loadRuleset } from '../src/frontend/load-ruleset.js';
import { generateTrace } from '../src/gen/index.js';
import { parseTrafficMix } from '../src/gen/traffic-mix.js';
import { parseHostFile } from '../src/host/index.js';
import { frameLink } from '../src/replay/replay-trace.js';
import { MemorySink, PcapngWriter, traceFromBytes } from '../src/trace/index.js';
import type { LinkType } from '../src/wire/packet.js';

const packets = Number(process.argv[2] ?? 20_000);
const repeat = Number(process.argv[3] ?? 20);
const fixtures = join(import.meta.dirname, '../test/fixtures/wasm-engine');
const rulesFile = join(fixtures, 'docker-routed.v4');
const { ruleset } = loadRuleset(readFileSync(rulesFile, 'utf8'), { file: rulesFile });
const host = parseHostFile(readFileSync(join(fixtures, 'routed-host.json'), 'utf8'), {
  file: 'routed-host.json',
});

const sink = new MemorySink();
const writer = new PcapngWriter(sink);
generateTrace(writer, {
  ruleset,
  host,
  packets,
  flows: 1000,
  seed: 1,
  mix: parseTrafficMix('tcp=60,udp=40'),
});
writer.flush();
interface Frame {
  readonly bytes: Uint8Array;
  readonly linkType: LinkType;
  readonly iif: string;
  readonly timestampNs: bigint;
}
const frames: Frame[] = [];
for (const p of traceFromBytes(sink.bytes()).packetsSync()) {
  const iif = p.interfaceName ?? '';
  const linkType = frameLink(p.linkType, p.data);
  if (iif.startsWith('@') || !linkType) continue;
  frames.push({ bytes: p.data.slice(), linkType, iif, timestampNs: p.timestampNs ?? 0n });
}
const span = frames.at(-1)!.timestampNs - frames[0]!.timestampNs + 1_000_000_000n;

let t0 = performance.now();
const ref = new ReferenceEngine(ruleset, host, { seed: 1 });
for (const f of frames) ref.process(f);
const refNs = ((performance.now() - t0) * 1e6) / frames.length;

const wasm = new WasmEngine(ruleset, host, { seed: 1 });
let runMs = 0;
const run = () => {
  const t = performance.now();
  wasm.run();
  runMs += performance.now() - t;
  wasm.clear();
};
t0 = performance.now();
for (let r = 0; r < repeat; r++) {
  const shift = span * BigInt(r);
  for (const f of frames) {
    if (!wasm.fits(f.bytes.length)) run();
    wasm.add(f.bytes, f.linkType, f.iif, f.timestampNs + shift);
  }
}
run();
const n = frames.length * repeat;
const wasmNs = ((performance.now() - t0) * 1e6) / n;
const line = (name: string, ns: number, count: number) =>
  `${name.padEnd(34)} ${count.toString().padStart(9)} packets ${(1e3 / ns).toFixed(3).padStart(8)} Mpps ${ns.toFixed(1).padStart(10)} ns/packet`;
console.log(`routed Docker host, ${frames.length}-packet trace (gen seed 1, no @local packets)`);
console.log(line('reference engine', refNs, frames.length));
console.log(line(`wasm engine (${repeat}x, with add)`, wasmNs, n));
console.log(line('wasm engine, receiveBatch only', (runMs * 1e6) / n, n));
console.log(
  `wasm/reference ${(refNs / wasmNs).toFixed(0)}x; ${wasm.hostQueries} host questions crossed into JavaScript; walk memo ${wasm.walkMemo.hits} hits, ${wasm.walkMemo.misses} misses; flow cache ${wasm.flowCache.hits} hits, ${wasm.flowCache.replays} replays`,
);
