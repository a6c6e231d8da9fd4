// WasmEngine.snapshot / restore: a checkpoint taken between batches, put back in the same engine
// (rewind) or in a fresh one made from the same ruleset, host and options, continues exactly as
// the original did — every packet's fate and emitted bytes, the counters and the connection
// table — with connections, NAT bindings, limit buckets, the walk memo, the flow cache and the
// generator all carried over.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WasmEngine } from '../../src/engine/wasm/engine.js';
import { exportMutableGlobals } from '../../src/engine/wasm/global-exports.js';
import { wasmPath } from '../../src/engine/wasm/module.js';
import { printIptablesSave } from '../../src/frontend/iptables/printer.js';
import { replayTraceWasm } from '../../src/replay/replay-trace-wasm.js';
import { traceFromBytes } from '../../src/trace/index.js';
import { describeResult, scenario, trace } from './engine-compare.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/wasm-engine');

interface WebAssemblyModule {
  readonly kind?: never;
}
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  readonly Module: (new (
    bytes: Uint8Array,
  ) => WebAssemblyModule) & {
    exports(m: WebAssemblyModule): { name: string; kind: string }[];
  };
}

function run(engine: WasmEngine, packets: ReturnType<typeof framesOf>): string[] {
  const out: string[] = [];
  replayTraceWasm(
    engine,
    { packetsSync: () => packets },
    { onPacket: (p) => out.push(describeResult(p.result)) },
  );
  return out;
}

function framesOf(bytes: Uint8Array) {
  return [...traceFromBytes(bytes).packetsSync()].map((p) => ({ ...p, data: p.data.slice() }));
}

function stateOf(engine: WasmEngine): string {
  return JSON.stringify(
    {
      counters: printIptablesSave(engine.rulesetWithCounters(), { counters: true }),
      connections: engine.connections(),
      stats: engine.conntrackStats(),
      memo: engine.walkMemo,
      flow: engine.flowCache,
    },
    (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
  );
}

describe('WasmEngine snapshot and restore', () => {
  // limit buckets, hashlimit, recent and connlimit lists, CONNMARK, NOTRACK: state beyond conntrack.
  const s = scenario(join(FIXTURES, 'ported-matches.v4'), join(FIXTURES, 'routed-host.json'));
  const frames = framesOf(trace(s, 3, 4000, 'tcp=60,udp=30,icmp=8,invalid=2', 2000));
  const first = frames.slice(0, 2000);
  const second = frames.slice(2000);

  it('continues from a checkpoint as the original engine did: in a fresh engine, and rewound', () => {
    const original = new WasmEngine(s.ruleset, s.host, { seed: 5, batchSize: 64 });
    run(original, first);
    const checkpoint = original.snapshot();
    const expected = run(original, second);
    const expectedState = stateOf(original);
    expect(expected.length).toBe(second.length);

    const fresh = new WasmEngine(s.ruleset, s.host, { seed: 5, batchSize: 64 });
    fresh.restore(checkpoint);
    expect(run(fresh, second)).toEqual(expected);
    expect(stateOf(fresh)).toBe(expectedState);

    original.restore(checkpoint);
    expect(run(original, second)).toEqual(expected);
    expect(stateOf(original)).toBe(expectedState);
  });

  it('a fresh engine without the checkpoint does not continue alike (the test can tell)', () => {
    const original = new WasmEngine(s.ruleset, s.host, { seed: 5, batchSize: 64 });
    run(original, first);
    const expected = run(original, second);
    const fresh = new WasmEngine(s.ruleset, s.host, { seed: 5, batchSize: 64 });
    expect(run(fresh, second)).not.toEqual(expected);
  });

  it('refuses a snapshot of another ruleset or batch size, and pending frames', () => {
    const a = new WasmEngine(s.ruleset, s.host, { seed: 5, batchSize: 64 });
    const b = new WasmEngine(s.ruleset, s.host, { seed: 5, batchSize: 128 });
    expect(() => b.restore(a.snapshot())).toThrow(/another table or batch size/);
    const other = scenario(join(FIXTURES, 'docker-routed.v4'), join(FIXTURES, 'routed-host.json'));
    const c = new WasmEngine(other.ruleset, other.host, { seed: 5, batchSize: 64 });
    expect(() => c.restore(a.snapshot())).toThrow(/another table or batch size/);
    const f = first[0]!;
    a.add(f.data, 'ethernet', f.interfaceName ?? 'eth0', f.timestampNs ?? 0n);
    expect(() => a.snapshot()).toThrow(/pending/);
  });
});

describe("the loader exports the build's mutable globals", () => {
  it('keeps every export of the build and adds one per mutable global; the module validates', () => {
    const plain = readFileSync(wasmPath('release'));
    const rewritten = exportMutableGlobals(plain);
    const WA = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
    expect(WA.validate(rewritten)).toBe(true);
    const before = WA.Module.exports(new WA.Module(plain)).map((e) => `${e.name}:${e.kind}`);
    const after = WA.Module.exports(new WA.Module(rewritten)).map((e) => `${e.name}:${e.kind}`);
    expect(after.slice(0, before.length)).toEqual(before);
    const added = after.slice(before.length);
    expect(added.length).toBeGreaterThan(100);
    expect(added.every((e) => /^g\d+:global$/.test(e))).toBe(true);
  });
});
