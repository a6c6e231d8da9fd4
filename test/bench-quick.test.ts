// The benchmark suite's code path (npm run bench -- --quick) on tiny sizes, so it never rots:
// every scenario and engine runs, results, tables and the chart have their shape, and every
// engine agrees with the reference walk. Nothing here looks at speed.

import { describe, expect, it } from 'vitest';
import { ENGINES } from '../bench/lib/engines.js';
import {
  memoryLines,
  microTable,
  pathTable,
  populationTable,
  QUICK,
  runSuite,
  throughputSvg,
  throughputTable,
} from '../bench/lib/suite.js';

describe('npm run bench -- --quick', () => {
  it('measures every scenario with every engine and reports the structure the README shows', () => {
    const results = runSuite(
      {
        ...QUICK,
        sizes: [10, 100],
        packets: 600,
        targetMs: 1,
        runs: 1,
        microMaxTime: 0.005,
        conntrackEntries: 500,
        wasmConntrackEntries: 1000,
        path: {
          scenarios: ['docker', 'kube-proxy'],
          sizes: [10],
          packets: 400,
          flows: 40,
          repeat: 2,
          referenceMs: 1,
          seed: 1,
        },
        population: { sizes: [50, 300], packets: 400, referenceMaxSize: 50, referenceMs: 1, seed: 1 },
      },
      'npm run bench -- --quick (test)',
    );
    expect(results.mode).toBe('quick');
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(results.machine.cpu.length).toBeGreaterThan(0);
    expect(results.throughput.map((r) => `${r.scenario}@${r.size}`)).toEqual(
      QUICK.scenarios.flatMap((s) => [`${s}@10`, `${s}@100`]),
    );
    for (const r of results.throughput) {
      for (const e of ENGINES) {
        expect(r.engines[e].pps, `${r.scenario} ${r.size} ${e}`).toBeGreaterThan(0);
        expect(r.engines[e].nsPerPacket).toBeCloseTo(1e9 / r.engines[e].pps);
      }
      expect(r.ratios.wasmOverReference).toBeCloseTo(r.engines.wasm.pps / r.engines.reference.pps);
      expect(r.ratios.wasmOverLinear).toBeCloseTo(r.engines.wasm.pps / r.engines.linear.pps);
      expect(r.ratios.wasmOverFloor).toBeCloseTo(r.engines.wasm.pps / r.engines.floor.pps);
      expect(r.tableBytesPerRule).toBeGreaterThan(0);
      expect(r.compared).toBeGreaterThan(0);
      expect(r.disagreements, `${r.scenario} ${r.size}`).toEqual({ wasm: 0, interp: 0, linear: 0 });
      expect(r.wasmUndecided).toBe(0);
    }
    expect(results.micro.map((m) => m.name)).toHaveLength(5);
    for (const m of results.micro) expect(m.opsPerSec).toBeGreaterThan(0);
    expect(results.memory?.conntrackEntries).toBe(500);
    expect(results.memory?.conntrackBytesPerEntry).toBeGreaterThan(0);
    // The WebAssembly table: 128-byte records plus buckets.
    expect(results.memory?.wasmConntrackBytesPerEntry).toBeGreaterThanOrEqual(128);
    expect(results.path?.map((r) => `${r.scenario} ${r.size}`)).toEqual([
      'docker (whole path) 10',
      'kube-proxy (whole path) 10',
    ]);
    for (const r of results.path ?? []) {
      expect(r.frames).toBeGreaterThan(100);
      expect(r.wasm.packets).toBe(r.frames * 2);
      expect(r.wasmOverReference).toBeCloseTo(r.wasm.pps / r.reference.pps);
    }
    expect(pathTable(results.path ?? []).split('\n')[0]).toMatch(
      /wasm engine Mpps.*reference Mpps.*wasm\/ref/,
    );
    expect(results.population?.map((r) => r.connections)).toEqual([50, 300]);
    for (const r of results.population ?? []) {
      // Every handshake made a connection, and the timed packets kept them.
      expect(r.tracked).toBe(r.connections);
      expect(r.wasmOpen.packets).toBe(3 * r.connections);
      expect(r.wasm.packets).toBe(400);
      expect(r.wasm.pps).toBeGreaterThan(0);
      expect(r.max).toBeGreaterThanOrEqual(r.connections);
    }
    expect(results.population?.[0]?.reference?.pps).toBeGreaterThan(0);
    expect(results.population?.[1]?.reference).toBeUndefined();
    expect(populationTable(results.population ?? []).split('\n')).toHaveLength(3);

    const json = JSON.parse(JSON.stringify(results)) as typeof results;
    expect(json.throughput).toHaveLength(results.throughput.length);
    const table = throughputTable(results.throughput).split('\n');
    expect(table).toHaveLength(results.throughput.length + 1);
    expect(table[0]).toMatch(/wasm Mpps.*floor Mpps.*wasm\/ref.*wasm\/linear.*wasm\/floor/);
    expect(throughputTable(results.throughput, true).split('\n')[1]).toMatch(/^\| --- \|/);
    expect(microTable(results.micro)).toContain('conntrack lookup');
    expect(memoryLines(results).join('\n')).toContain('bytes per rule');
    const svg = throughputSvg(results);
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // A line per engine per classification scenario, three per whole-path scenario.
    const pathScenarios = new Set((results.path ?? []).map((r) => r.scenario)).size;
    expect(pathScenarios).toBeGreaterThan(0);
    // ... and two (WebAssembly, reference) for the connection population.
    expect(svg.match(/<path /g)).toHaveLength(
      QUICK.scenarios.length * ENGINES.length + 3 * pathScenarios + 2,
    );
    expect(svg).toContain('live connections');
    expect(svg).toContain('inside receiveBatch');
  });
});
