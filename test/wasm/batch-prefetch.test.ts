// The batch prefetch (assembly/path/batch-prefetch.ts) only reads ahead: a run with it and a
// run without it must decide every packet alike and end with the same counters, connections
// and flow-cache replays.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { populationTraffic, populationWorkload } from '../../bench/lib/population.js';
import { WasmEngine } from '../../src/engine/wasm/engine.js';
import { printIptablesSave } from '../../src/frontend/iptables/printer.js';

const CONNECTIONS = 20_000;

function runPopulation(prefetch: boolean) {
  const w = populationWorkload(CONNECTIONS);
  const engine = new WasmEngine(w.ruleset, w.host, { seed: 1, prefetch });
  const fates = createHash('sha256');
  const flush = () => {
    engine.run();
    for (let k = 0; k < engine.pending; k++) {
      const r = engine.result(k);
      fates.update(`${r.fate.kind} ${'decidedBy' in r.fate ? JSON.stringify(r.fate.decidedBy) : ''}\n`);
    }
    engine.clear();
  };
  const sink = (bytes: Uint8Array, iif: string, ts: bigint) => {
    if (!engine.fits(bytes.length)) flush();
    engine.add(bytes, 'ethernet', iif, ts);
  };
  populationTraffic(w, CONNECTIONS, 60_000, 1, sink, sink);
  flush();
  return {
    prefetched: engine.prefetchedFrames,
    outcome: {
      fates: fates.digest('hex'),
      counters: printIptablesSave(engine.rulesetWithCounters(), { counters: true }),
      connections: JSON.stringify(engine.connections(), (_, v) => (typeof v === 'bigint' ? `${v}n` : v)),
      replays: engine.flowCache.replays,
    },
  };
}

describe('batch prefetch', () => {
  it('reads ahead over 20k connections and changes nothing the engine decides', () => {
    const on = runPopulation(true);
    const off = runPopulation(false);
    expect(off.prefetched).toBe(0);
    // Every frame is a TCP segment through eth0 or docker0: all are read ahead.
    expect(on.prefetched).toBe(3 * CONNECTIONS + 60_000);
    expect(on.outcome.replays).toBeGreaterThan(30_000);
    expect(on.outcome).toEqual(off.outcome);
  });
});
