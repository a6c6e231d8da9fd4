// The WebAssembly engine (assembly/path/, src/engine/wasm/engine.ts) against the reference
// engine on whole traces: per packet the fate, the deciding rule, the emitted bytes and
// interface, the conntrack state and entry; at the end the counters (as iptables-save -c) and
// the connection table. Traces are generated (seeded) for rulesets and hosts whose traffic the
// WebAssembly path handles end to end; the host's own packets (@local) are left out until the
// path has the OUTPUT side. Batch sizes vary so that packets of one connection straddle batches.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDecision, ReferenceEngine } from '../../src/engine/reference/engine.js';
import type { PacketResult } from '../../src/engine/reference/result.js';
import { WasmEngine } from '../../src/engine/wasm/engine.js';
import { printIptablesSave } from '../../src/frontend/iptables/printer.js';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { generateTrace } from '../../src/gen/index.js';
import { parseTrafficMix } from '../../src/gen/traffic-mix.js';
import { parseHostFile } from '../../src/host/index.js';
import { replayTrace } from '../../src/replay/replay-trace.js';
import { replayTraceWasm } from '../../src/replay/replay-trace-wasm.js';
import { MemorySink, PcapngWriter, traceFromBytes } from '../../src/trace/index.js';
import { withoutLocalPackets } from '../trace/helpers.js';

const LONG = process.env.NFWASM_FUZZ === 'long';
const FIXTURES = join(import.meta.dirname, '../fixtures/wasm-engine');

function scenario(rulesFile: string, hostFile: string) {
  const rules = join(FIXTURES, rulesFile);
  const ruleset = loadRuleset(readFileSync(rules, 'utf8'), { file: rulesFile }).ruleset;
  const host = parseHostFile(readFileSync(join(FIXTURES, hostFile), 'utf8'), { file: hostFile });
  return { ruleset, host };
}

/** A generated trace without the host's own packets, as pcapng bytes. */
function trace(s: ReturnType<typeof scenario>, seed: number, packets: number, mix: string): Uint8Array {
  const sink = new MemorySink();
  const all = new PcapngWriter(sink);
  generateTrace(all, {
    ruleset: s.ruleset,
    host: s.host,
    packets,
    flows: 400,
    seed,
    mix: parseTrafficMix(mix),
  });
  all.flush();
  return withoutLocalPackets(sink.bytes());
}

function describeResult(r: PacketResult): string {
  const f = r.fate;
  return JSON.stringify({
    fate: f.kind,
    why: 'reason' in f ? f.reason : 'to' in f ? f.to : 'oif' in f ? f.oif : '',
    by: 'decidedBy' in f && f.decidedBy ? describeDecision(f.decidedBy) : null,
    emitted: r.emitted.map((e) => [
      e.oif,
      e.port ?? '',
      Buffer.from(e.bytes).toString('hex'),
      e.cause,
      e.decidedBy ? describeDecision(e.decidedBy) : '',
    ]),
    // A dropped new connection's entry is gone when the batch's results are read (its slot
    // may be reused within the batch): its state is compared, not its tuples.
    ct: f.kind === 'dropped' ? (r.conntrack?.state ?? null) : r.conntrack,
  });
}

function compare(s: ReturnType<typeof scenario>, bytes: Uint8Array, batchSize: number): number {
  const ref = new ReferenceEngine(s.ruleset, s.host, { seed: 7 });
  const expected: string[] = [];
  replayTrace(ref, traceFromBytes(bytes), { onPacket: (p) => expected.push(describeResult(p.result)) });
  const wasm = new WasmEngine(s.ruleset, s.host, { seed: 7, batchSize });
  let n = 0;
  replayTraceWasm(wasm, traceFromBytes(bytes), {
    onPacket: (p) => {
      const got = describeResult(p.result);
      if (got !== expected[n])
        expect.fail(`packet ${p.number}:\n  reference ${expected[n]}\n  wasm      ${got}`);
      n++;
    },
  });
  expect(n).toBe(expected.length);
  expect(printIptablesSave(wasm.rulesetWithCounters(), { counters: true })).toBe(
    printIptablesSave(ref.rulesetWithCounters(), { counters: true }),
  );
  const refConns = ref.connections().map((c) => ({
    id: c.id,
    original: c.original,
    reply: c.reply,
    status: c.status,
    mark: c.mark,
    expiresAt: c.expiresAt,
  }));
  const wasmConns = wasm.connections().map((e) => ({
    id: e.id,
    original: e.original,
    reply: e.reply,
    status: e.status,
    mark: e.mark,
    expiresAt: e.timeout,
  }));
  expect(wasmConns).toEqual(refConns);
  return n;
}

describe('WebAssembly engine = reference engine on whole traces', () => {
  const docker = scenario('docker-routed.v4', 'routed-host.json');
  const seeds = LONG ? 40 : 4;
  for (let seed = 1; seed <= seeds; seed++) {
    const batch = [1, 7, 256, 4096][seed % 4]!;
    it(`Docker host, routed (DNAT, MASQUERADE, conntrack): seed ${seed}, batches of ${batch}`, () => {
      const bytes = trace(docker, seed, LONG ? 100_000 : 6_000, 'tcp=60,udp=40');
      expect(compare(docker, bytes, batch)).toBeGreaterThan(1000);
    });
  }
  const flows = scenario('flow-traps.v4', 'routed-host.json');
  for (let seed = 1; seed <= (LONG ? 20 : 2); seed++) {
    const batch = [7, 4096][seed % 2]!;
    it(`flows whose mark and connection status change between packets: seed ${seed}`, () => {
      const bytes = trace(flows, seed, LONG ? 100_000 : 6_000, 'tcp=60,udp=40');
      expect(compare(flows, bytes, batch)).toBeGreaterThan(1000);
    });
  }
  const traps = scenario('memo-traps.v4', 'routed-host.json');
  for (let seed = 1; seed <= (LONG ? 20 : 2); seed++) {
    const batch = [7, 4096][seed % 2]!;
    it(`walks that read TCP flags, lengths, TTLs, marks, conntrack status and expiry, or keep state: seed ${seed}`, () => {
      const bytes = trace(traps, seed, LONG ? 100_000 : 6_000, 'tcp=60,udp=40');
      expect(compare(traps, bytes, batch)).toBeGreaterThan(1000);
    });
  }
});
