// The orchestrated benchmark: every scenario (Docker host, kube-proxy, ClassBench acl1/fw1/ipc1)
// × rule count × engine (WebAssembly, TS table interpreter, reference walk, naive linear scan,
// and the WebAssembly header-decode floor) in one process, then benchmark.js microbenchmarks
// and memory figures. Prints tables; writes bench/results/<date>-<mode>.json and the chart,
// bench/results/throughput.svg (full) or throughput-quick.svg (--quick).
//
//   npm run bench                     full: 10 .. 100k rules (under 10 minutes on 2 cores)
//   npm run bench -- --quick          10 .. 1k rules (under a minute)
//   npm run bench -- --quick --scenarios docker,acl1 --sizes 100 --no-write --markdown
//   npm run bench -- --classification --sizes 100,10000,100000 --no-write   (throughput only)
//
// Flags: --quick, --classification (the throughput table only: no packet path, population,
// microbenchmarks or memory figures), --scenarios LIST, --sizes LIST, --path-sizes LIST (the
// whole packet path; empty to skip it), --population-sizes LIST (live connections; empty to
// skip), --packets N, --seed N, --markdown (tables as Markdown), --no-write, --from FILE.json
// (print a saved run's tables, measuring nothing).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchArgs } from './lib/args.js';
import type { ScenarioName } from './lib/scenarios.js';
import { SCENARIOS } from './lib/scenarios.js';
import {
  type BenchResults,
  FULL,
  memoryLines,
  microTable,
  pathTable,
  populationTable,
  QUICK,
  runSuite,
  type SuiteOptions,
  throughputSvg,
  throughputTable,
} from './lib/suite.js';

const args = new BenchArgs();
const base = args.has('--quick') ? QUICK : FULL;
const scenarios = args.list('--scenarios', base.scenarios.join(','));
for (const s of scenarios)
  if (!(SCENARIOS as readonly string[]).includes(s))
    throw new Error(`unknown scenario ${s} (expected ${SCENARIOS.join(', ')})`);
const classificationOnly = args.has('--classification');
const options: SuiteOptions = {
  ...base,
  ...(classificationOnly ? { microMaxTime: 0, conntrackEntries: 0 } : {}),
  scenarios: scenarios as ScenarioName[],
  sizes: args.list('--sizes', base.sizes.join(',')).map(Number),
  packets: args.number('--packets', base.packets),
  seed: args.number('--seed', base.seed),
  path: {
    ...base.path,
    sizes: args
      .list('--path-sizes', classificationOnly ? '' : base.path.sizes.join(','))
      .filter((x) => x !== '')
      .map(Number),
  },
  population: {
    ...base.population,
    sizes: args
      .list('--population-sizes', classificationOnly ? '' : base.population.sizes.join(','))
      .filter((x) => x !== '')
      .map(Number),
  },
  onPopulationResult: (r) =>
    process.stderr.write(
      `  ${r.connections} connections: wasm engine ${(r.wasm.pps / 1e6).toFixed(2)} Mpps${r.reference ? `, ${(r.wasm.pps / r.reference.pps).toFixed(0)}x reference` : ''}\n`,
    ),
  onPathResult: (r) =>
    process.stderr.write(
      `  ${r.scenario} ${r.size}: wasm engine ${(r.wasm.pps / 1e6).toFixed(2)} Mpps, ${r.wasmOverReference.toFixed(0)}x reference\n`,
    ),
  onResult: (r) =>
    process.stderr.write(
      `  ${r.scenario} ${r.size}: wasm ${(r.engines.wasm.pps / 1e6).toFixed(2)} Mpps, ${(r.ratios.wasmOverReference).toFixed(0)}x reference\n`,
    ),
};
const markdown = args.has('--markdown');
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

const from = args.value('--from');
const results: BenchResults = from
  ? (JSON.parse(readFileSync(from, 'utf8')) as BenchResults)
  : runSuite(options, command);
const m = results.machine;
console.log(
  `nfwasm benchmarks (${results.mode}): ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, Linux ${m.kernel}, load ${m.loadAverage}; ${results.date}`,
);
console.log(
  `throughput: packets per second (ns per packet) walking one base chain; wasm and floor over ${results.options.packets} packets in batches of ${results.options.batchSize}; JS engines over as many as fit ${results.options.targetMs} ms; best of ${results.options.runs}`,
);
console.log(throughputTable(results.throughput, markdown));
if (results.skipped.length > 0) console.log(`not in the corpus: ${results.skipped.join(', ')}`);
console.log('');
if (results.path && results.path.length > 0) {
  console.log(
    `whole packet path: the WebAssembly engine (conntrack, NAT, routing, every hook, flow cache) over ${results.options.path.repeat} passes of each trace, and the reference engine over what fits ${results.options.path.referenceMs} ms, same frames, same run`,
  );
  console.log(pathTable(results.path, markdown));
  console.log('');
}
if (results.population && results.population.length > 0) {
  const p = results.options.population;
  console.log(
    `connection population: the Docker host opens N TCP connections (3 frames each), then ${p.packets} packets over them, spread uniformly (data and ACKs both ways); the reference engine only up to ${p.referenceMaxSize} connections, over what fits ${p.referenceMs} ms`,
  );
  console.log(populationTable(results.population, markdown));
  console.log('');
}
console.log(microTable(results.micro, markdown));
console.log('');
for (const line of memoryLines(results)) console.log(line);
console.log(`\n${results.seconds.toFixed(1)} s`);

if (!from && !args.has('--no-write')) {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  // A classification-only run is a part of a run: it neither replaces the day's results nor the chart.
  const suffix = classificationOnly ? '-classification' : '';
  const json = join(dir, `${results.date.slice(0, 10)}-${results.mode}${suffix}.json`);
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  if (classificationOnly) console.log(`wrote ${json}`);
  else {
    // The README embeds the full run's chart; a quick run does not overwrite it.
    const svg = join(dir, results.mode === 'full' ? 'throughput.svg' : 'throughput-quick.svg');
    writeFileSync(svg, throughputSvg(results));
    console.log(`wrote ${json} and ${svg}`);
  }
}
