// The orchestrated benchmark run (bench/run.ts): every scenario × rule count × engine in one
// process, then the microbenchmarks and memory figures; results as one JSON-able object, a
// text (or Markdown) table and an SVG chart.

import {
  ENGINES,
  type EngineName,
  type EngineRate,
  measureWorkload,
  type WorkloadResult,
} from './engines.js';
import { type MachineFacts, machineFacts } from './machine.js';
import { type MemoryResult, type MicroResult, measureMemory, runMicro } from './micro.js';
import { measurePath, PATH_SCENARIOS, type PathOptions, type PathResult } from './path.js';
import { measurePopulation, type PopulationOptions, type PopulationResult } from './population.js';
import { SCENARIOS, type ScenarioName, workload } from './scenarios.js';
import { type ChartPanel, lineChartSvg } from './svg-chart.js';
import { type Column, formatMarkdownTable, formatTable } from './text-table.js';
import { formatPps } from './timing.js';

export type BenchMode = 'quick' | 'full';

export interface SuiteOptions {
  readonly mode: BenchMode;
  readonly scenarios: readonly ScenarioName[];
  readonly sizes: readonly number[];
  /** Packets per workload (the WebAssembly engine and the floor classify all of them). */
  readonly packets: number;
  readonly batchSize: number;
  /** Target duration of one timed run of a JavaScript engine, ms. */
  readonly targetMs: number;
  readonly runs: number;
  /** benchmark.js maxTime per microbenchmark, seconds (0: skip them). */
  readonly microMaxTime: number;
  /** Conntrack entries for the memory figure (0: skip it). */
  readonly conntrackEntries: number;
  /** nf_conntrack_max of the WebAssembly connection table whose memory is reported. */
  readonly wasmConntrackEntries: number;
  readonly seed: number;
  /** The whole packet path (path.ts); sizes [] to skip it. */
  readonly path: PathOptions;
  /** The whole packet path as the connection table grows (population.ts); sizes [] to skip it. */
  readonly population: PopulationOptions;
  /** Called after each workload (progress). */
  readonly onResult?: (r: WorkloadResult) => void;
  readonly onPathResult?: (r: PathResult) => void;
  readonly onPopulationResult?: (r: PopulationResult) => void;
}

type Callbacks = 'onResult' | 'onPathResult' | 'onPopulationResult';

export const QUICK: Omit<SuiteOptions, Callbacks> = {
  mode: 'quick',
  scenarios: SCENARIOS,
  sizes: [10, 100, 1000],
  packets: 16_384,
  batchSize: 4096,
  targetMs: 15,
  runs: 3,
  microMaxTime: 0.25,
  conntrackEntries: 20_000,
  wasmConntrackEntries: 1_000_000,
  seed: 1,
  path: {
    scenarios: PATH_SCENARIOS,
    sizes: [10, 100],
    packets: 5000,
    flows: 300,
    repeat: 4,
    referenceMs: 300,
    seed: 1,
  },
  population: { sizes: [1000, 10_000], packets: 100_000, referenceMaxSize: 1000, referenceMs: 300, seed: 1 },
};

export const FULL: Omit<SuiteOptions, Callbacks> = {
  mode: 'full',
  scenarios: SCENARIOS,
  sizes: [10, 100, 1000, 10_000, 100_000],
  packets: 131_072,
  batchSize: 4096,
  targetMs: 100,
  runs: 5,
  microMaxTime: 2,
  conntrackEntries: 200_000,
  wasmConntrackEntries: 1_000_000,
  seed: 1,
  path: {
    scenarios: PATH_SCENARIOS,
    sizes: [10, 100, 1000, 10_000, 100_000],
    packets: 20_000,
    flows: 1000,
    repeat: 10,
    referenceMs: 2000,
    seed: 1,
  },
  population: {
    sizes: [1000, 10_000, 100_000, 1_000_000],
    packets: 1_000_000,
    referenceMaxSize: 10_000,
    referenceMs: 2000,
    seed: 1,
  },
};

export interface BenchResults {
  readonly date: string;
  readonly mode: BenchMode;
  readonly command: string;
  readonly machine: MachineFacts;
  readonly options: Omit<SuiteOptions, Callbacks>;
  readonly throughput: readonly WorkloadResult[];
  /** The whole packet path (absent in results saved before it was measured). */
  readonly path?: readonly PathResult[];
  /** The whole packet path over N live connections (absent in results saved before). */
  readonly population?: readonly PopulationResult[];
  /** Scenario/size pairs whose inputs do not exist (ClassBench above 10k rules). */
  readonly skipped: readonly string[];
  readonly micro: readonly MicroResult[];
  readonly memory: MemoryResult | null;
  readonly seconds: number;
}

export function runSuite(options: SuiteOptions, command: string): BenchResults {
  const t0 = process.hrtime.bigint();
  const throughput: WorkloadResult[] = [];
  const skipped: string[] = [];
  for (const scenario of options.scenarios)
    for (const size of options.sizes) {
      const w = workload(scenario, size, options.packets, options.seed);
      if (!w) {
        skipped.push(`${scenario}@${size}`);
        continue;
      }
      const r = measureWorkload(w, options);
      throughput.push(r);
      options.onResult?.(r);
    }
  const path: PathResult[] = [];
  for (const scenario of options.path.scenarios)
    for (const size of options.path.sizes) {
      const r = measurePath(scenario, size, options.path);
      path.push(r);
      options.onPathResult?.(r);
    }
  const population: PopulationResult[] = [];
  for (const size of options.population.sizes) {
    const r = measurePopulation(size, options.population);
    population.push(r);
    options.onPopulationResult?.(r);
  }
  const micro = options.microMaxTime > 0 ? runMicro(options.microMaxTime) : [];
  const memory =
    options.conntrackEntries > 0
      ? measureMemory(options.conntrackEntries, options.wasmConntrackEntries)
      : null;
  const { onResult: _, onPathResult: __, onPopulationResult: ___, ...plain } = options;
  return {
    date: new Date().toISOString(),
    mode: options.mode,
    command,
    machine: machineFacts(),
    options: plain,
    throughput,
    path,
    population,
    skipped,
    micro,
    memory,
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
  };
}

const THROUGHPUT_COLUMNS: readonly Column[] = [
  { title: 'scenario' },
  { title: 'size', align: 'right' },
  { title: 'rules', align: 'right' },
  ...ENGINES.map((e): Column => ({ title: `${e} Mpps (ns/pkt)`, align: 'right' })),
  { title: 'wasm/ref', align: 'right' },
  { title: 'wasm/interp', align: 'right' },
  { title: 'wasm/linear', align: 'right' },
  { title: 'wasm/floor', align: 'right' },
  { title: 'B/rule', align: 'right' },
  { title: 'memo replayed', align: 'right' },
  { title: 'undecided', align: 'right' },
  { title: 'disagree', align: 'right' },
];

/** Mpps to two decimals, or three significant digits below 0.1. */
const mpps = (pps: number): string => (pps >= 1e5 ? (pps / 1e6).toFixed(2) : (pps / 1e6).toPrecision(2));
const ratio = (r: number): string => (r >= 10 ? `${r.toFixed(0)}x` : `${r.toFixed(2)}x`);

function throughputRow(r: WorkloadResult): string[] {
  const d = r.disagreements;
  return [
    r.scenario,
    String(r.size),
    String(r.rules),
    ...ENGINES.map((e) => {
      // Results written before an engine was measured (bench/run.ts --from) lack it.
      const x = r.engines[e] as EngineRate | undefined;
      return x ? `${mpps(x.pps)} (${x.nsPerPacket.toFixed(0)})` : '—';
    }),
    ratio(r.ratios.wasmOverReference),
    ratio(r.ratios.wasmOverInterp),
    ratio(r.ratios.wasmOverLinear),
    ratio(r.ratios.wasmOverFloor),
    r.tableBytesPerRule.toFixed(0),
    r.wasmMemoReplayed === undefined ? '—' : `${(100 * r.wasmMemoReplayed).toFixed(0)}%`,
    String(r.wasmUndecided),
    `${d.wasm}/${d.interp}/${d.linear} of ${r.compared}`,
  ];
}

/** The throughput table (one row per scenario × size), as text or Markdown. */
export function throughputTable(results: readonly WorkloadResult[], markdown = false): string {
  const rows = results.map(throughputRow);
  return markdown ? formatMarkdownTable(THROUGHPUT_COLUMNS, rows) : formatTable(THROUGHPUT_COLUMNS, rows);
}

const PATH_COLUMNS: readonly Column[] = [
  { title: 'scenario' },
  { title: 'size', align: 'right' },
  { title: 'rules', align: 'right' },
  { title: 'frames', align: 'right' },
  { title: 'flows', align: 'right' },
  { title: 'wasm engine Mpps (ns/pkt)', align: 'right' },
  { title: 'in batches', align: 'right' },
  { title: 'reference Mpps (ns/pkt)', align: 'right' },
  { title: 'wasm/ref', align: 'right' },
  { title: 'flow cache replayed', align: 'right' },
  { title: 'host questions', align: 'right' },
];

/** The whole packet path's table: Mpps (ns per packet) per engine. */
export function pathTable(results: readonly PathResult[], markdown = false): string {
  const rate = (pps: number) => `${mpps(pps)} (${(1e9 / pps).toFixed(0)})`;
  const rows = results.map((r) => [
    r.scenario,
    String(r.size),
    String(r.rules),
    String(r.frames),
    String(r.flows),
    rate(r.wasm.pps),
    rate(r.wasm.batchPps),
    rate(r.reference.pps),
    ratio(r.wasmOverReference),
    `${(r.flowReplayed * 100).toFixed(0)}%`,
    String(r.hostQuestions),
  ]);
  return markdown ? formatMarkdownTable(PATH_COLUMNS, rows) : formatTable(PATH_COLUMNS, rows);
}

const POPULATION_COLUMNS: readonly Column[] = [
  { title: 'live connections', align: 'right' },
  { title: 'nf_conntrack_max / buckets', align: 'right' },
  { title: 'tracked', align: 'right' },
  { title: 'opening Mpps (ns/pkt)', align: 'right' },
  { title: 'wasm engine Mpps (ns/pkt)', align: 'right' },
  { title: 'reference Mpps (ns/pkt)', align: 'right' },
  { title: 'wasm/ref', align: 'right' },
  { title: 'flow cache replayed', align: 'right' },
];

/** The connection-population table: the timed packets' Mpps (ns per packet) per table size. */
export function populationTable(results: readonly PopulationResult[], markdown = false): string {
  const rate = (pps: number) => `${mpps(pps)} (${(1e9 / pps).toFixed(0)})`;
  const rows = results.map((r) => [
    String(r.connections),
    `${r.max} / ${r.buckets}`,
    String(r.tracked),
    rate(r.wasmOpen.pps),
    rate(r.wasm.pps),
    r.reference ? rate(r.reference.pps) : '-',
    r.reference ? ratio(r.wasm.pps / r.reference.pps) : '-',
    `${(r.flowReplayed * 100).toFixed(0)}%`,
  ]);
  return markdown ? formatMarkdownTable(POPULATION_COLUMNS, rows) : formatTable(POPULATION_COLUMNS, rows);
}

export function microTable(micro: readonly MicroResult[], markdown = false): string {
  const columns: Column[] = [
    { title: 'microbenchmark (benchmark.js)' },
    { title: 'ops/s', align: 'right' },
    { title: 'ns/op', align: 'right' },
    { title: '±%', align: 'right' },
    { title: 'samples', align: 'right' },
  ];
  const rows = micro.map((m) => [
    m.name,
    formatPps(m.opsPerSec),
    m.nsPerOp.toFixed(0),
    m.rme.toFixed(1),
    String(m.samples),
  ]);
  return markdown ? formatMarkdownTable(columns, rows) : formatTable(columns, rows);
}

export function memoryLines(results: BenchResults): string[] {
  const lines: string[] = [];
  const largest = new Map<string, WorkloadResult>();
  for (const r of results.throughput) {
    const prev = largest.get(r.scenario);
    if (!prev || r.rules > prev.rules) largest.set(r.scenario, r);
  }
  for (const r of largest.values())
    lines.push(
      `compiled table: ${r.scenario} ${r.rules} rules: ${(r.tableBytes / 1024).toFixed(0)} KiB, ${r.tableBytesPerRule.toFixed(0)} bytes per rule`,
    );
  const m = results.memory;
  if (m)
    lines.push(
      `conntrack: reference engine (TypeScript) ${m.conntrackBytesPerEntry.toFixed(0)} bytes of JS heap per UDP entry over ${m.conntrackEntries} entries${m.gcExposed ? '' : ' (no gc: rough)'}${m.wasmConntrackBytesPerEntry === undefined ? '' : `; WebAssembly ${m.wasmConntrackBytesPerEntry.toFixed(0)} bytes of linear memory per entry for ${m.wasmConntrackEntries} entries (${((m.wasmConntrackBytesPerEntry * m.wasmConntrackEntries!) / 2 ** 20).toFixed(0)} MiB)`}`,
    );
  return lines;
}

const ENGINE_STYLE: Readonly<Record<EngineName, { color: string; dashed?: boolean; label: string }>> = {
  wasm: { color: '#d62728', label: 'WebAssembly' },
  'wasm-walk': { color: '#ff7f0e', label: 'WebAssembly, every packet walked (no memo)' },
  interp: { color: '#1f77b4', label: 'TS table interpreter' },
  reference: { color: '#2ca02c', label: 'reference walk' },
  linear: { color: '#9467bd', label: 'naive linear scan (JS)' },
  floor: { color: '#7f7f7f', dashed: true, label: 'floor: header decode only (wasm)' },
};

export function throughputSvg(results: BenchResults): string {
  const scenarios = [...new Set(results.throughput.map((r) => r.scenario))];
  const panels: ChartPanel[] = scenarios.map((s) => ({
    title: s === 'docker' || s.startsWith('kube-proxy') ? s : `ClassBench ${s}`,
    series: ENGINES.map((e) => ({
      name: ENGINE_STYLE[e].label,
      color: ENGINE_STYLE[e].color,
      dashed: ENGINE_STYLE[e].dashed ?? false,
      points: results.throughput
        .filter((r) => r.scenario === s && (r.engines[e] as EngineRate | undefined))
        .map((r) => ({ x: r.size, y: r.engines[e].pps })),
    })),
  }));
  // The whole packet path (conntrack, NAT, routing, every hook): the engines the path runs in.
  for (const s of new Set((results.path ?? []).map((r) => r.scenario))) {
    const rows = (results.path ?? []).filter((r) => r.scenario === s);
    panels.push({
      title: s,
      series: [
        {
          name: ENGINE_STYLE.wasm.label,
          color: ENGINE_STYLE.wasm.color,
          points: rows.map((r) => ({ x: r.size, y: r.wasm.pps })),
        },
        {
          name: 'WebAssembly, inside receiveBatch (whole path)',
          color: ENGINE_STYLE.wasm.color,
          dashed: true,
          points: rows.map((r) => ({ x: r.size, y: r.wasm.batchPps })),
        },
        {
          name: ENGINE_STYLE.reference.label,
          color: ENGINE_STYLE.reference.color,
          points: rows.map((r) => ({ x: r.size, y: r.reference.pps })),
        },
      ],
    });
  }
  // The whole path as the connection table grows (Docker host, established connections).
  const population = results.population ?? [];
  if (population.length > 0)
    panels.push({
      title: 'docker, live connections (whole path)',
      xLabel: 'live connections',
      series: [
        {
          name: ENGINE_STYLE.wasm.label,
          color: ENGINE_STYLE.wasm.color,
          points: population.map((r) => ({ x: r.connections, y: r.wasm.pps })),
        },
        {
          name: ENGINE_STYLE.reference.label,
          color: ENGINE_STYLE.reference.color,
          points: population.flatMap((r) => (r.reference ? [{ x: r.connections, y: r.reference.pps }] : [])),
        },
      ],
    });
  const m = results.machine;
  return lineChartSvg(panels, {
    title: 'nfwasm throughput: classification, then the whole packet path (packets/s, log-log)',
    subtitle: `${results.date.slice(0, 10)} · ${m.cpu}, ${m.cores} cores · node ${m.node} · ${results.command}`,
    xLabel: 'rules',
    yLabel: 'packets/s',
  });
}
