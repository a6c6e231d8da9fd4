// WasmEngine.packetConnections: a run whose packets' results nobody reads skips copying each
// packet's connection, and must come out the same — fates, counters, connections, statistics —
// while result(k) refuses to report a connection it did not keep.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WasmEngine } from '../../src/engine/wasm/engine.js';
import { printIptablesSave } from '../../src/frontend/iptables/printer.js';
import { replayTraceWasm } from '../../src/replay/replay-trace-wasm.js';
import { traceFromBytes } from '../../src/trace/index.js';
import { scenario, trace } from './engine-compare.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/wasm-engine');

describe('WasmEngine.packetConnections', () => {
  const s = scenario(join(FIXTURES, 'docker-routed.v4'), join(FIXTURES, 'routed-host.json'));
  const frames = [...traceFromBytes(trace(s, 7, 3000, 'tcp=60,udp=30,icmp=8,invalid=2')).packetsSync()].map(
    (p) => ({ ...p, data: p.data.slice() }),
  );

  const state = (e: WasmEngine, fates: Record<string, number>) =>
    JSON.stringify(
      {
        fates,
        counters: printIptablesSave(e.rulesetWithCounters(), { counters: true }),
        connections: e.connections(),
        stats: e.conntrackStats(),
        flow: e.flowCache,
      },
      (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
    );

  it('off (no per-packet callback) gives the same run as on', () => {
    const on = new WasmEngine(s.ruleset, s.host, { seed: 3, batchSize: 256 });
    const withCallback = replayTraceWasm(on, { packetsSync: () => frames }, { onPacket: () => {} });
    expect(on.packetConnections).toBe(true);
    const off = new WasmEngine(s.ruleset, s.host, { seed: 3, batchSize: 256 });
    const without = replayTraceWasm(off, { packetsSync: () => frames });
    expect(off.packetConnections).toBe(false);
    expect(state(off, without.fates)).toBe(state(on, withCallback.fates));
    expect(Object.values(without.fates).reduce((a, b) => a + b, 0)).toBe(frames.length);
  });

  it("result() refuses a tracked packet's connection when off, and reports it again when on", () => {
    const e = new WasmEngine(s.ruleset, s.host, { seed: 3, batchSize: 256 });
    const tracked = () => {
      for (const f of frames.slice(0, 200))
        e.add(f.data, 'ethernet', f.interfaceName ?? 'eth0', f.timestampNs ?? 0n);
      e.run();
      let k = 0;
      while (e.fateOf(k) !== 'forwarded') k++;
      return k;
    };
    e.packetConnections = false;
    const k = tracked();
    expect(() => e.result(k)).toThrow(/connection snapshots are off/);
    e.clear();
    e.packetConnections = true;
    const j = tracked();
    expect(e.result(j).conntrack?.entry).toMatch(/->/);
  });
});
