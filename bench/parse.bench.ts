// Parse-speed benchmark of the iptables-save front end on generated kube-proxy dumps.
//
//   npx tsx bench/parse.bench.ts            1k / 10k / 100k rules, best of several runs, + micro-benchmarks
//   npx tsx bench/parse.bench.ts --quick    fewer repetitions, shorter micro-benchmarks
//   npx tsx bench/parse.bench.ts --simple   only tcp/comment matches and jumps (see bench/generate/kube-proxy.ts)
//   npx tsx bench/parse.bench.ts --sizes 1000,50000 --seed 7 --no-micro
//
// Acceptance: a 100k-rule kube-proxy dump parses in under 1 s. Every dump must also print back
// byte-identical (the generator writes exactly what iptables-save prints); the run fails if not.

import { loadavg } from 'node:os';
import Benchmark from 'benchmark';
import { NfwasmError } from '../src/errors.js';
import { parseCommandLine } from '../src/frontend/iptables/command-line.js';
import { printIptablesSave } from '../src/frontend/iptables/printer.js';
import { parseIptablesSave } from '../src/frontend/iptables/restore-parser.js';
import { splitRestoreLine } from '../src/frontend/iptables/tokens.js';
import { generateKubeProxyDump } from './generate/kube-proxy.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const simple = args.includes('--simple');
const micro = !args.includes('--no-micro');
const argValue = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const sizes = (argValue('--sizes') ?? '1000,10000,100000').split(',').map(Number);
const seed = Number(argValue('--seed') ?? 1);
const BUDGET_MS = 1000;
const ACCEPTANCE_RULES = 100_000;

/** Wall-clock and CPU (user + system) time of f; CPU time is the steadier one on a busy machine. */
function time<T>(f: () => T): { ms: number; cpuMs: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const value = f();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, value };
}

function pad(s: string | number, n: number, left = false): string {
  const t = String(s);
  return left ? t.padEnd(n) : t.padStart(n);
}

console.log(
  `nfwasm parse benchmark: node ${process.version}, ${simple ? 'simple' : 'full'} kube-proxy shape, seed ${seed}${quick ? ', quick' : ''}`,
);

interface Row {
  readonly target: number;
  readonly rules: number;
  readonly lines: number;
  readonly mb: number;
  readonly parseMs: number;
  readonly parseCpuMs: number;
  readonly printMs: number;
  readonly roundTrip: boolean;
}

const rows: Row[] = [];
let failed = false;
for (const size of sizes) {
  const dump = generateKubeProxyDump({ rules: size, seed, simple });
  const file = `kube-proxy-${size}.v4`;
  // Repetitions: enough to let the JIT settle on the small sizes, a few on the big one.
  const reps = quick ? (size >= 100_000 ? 2 : 3) : size >= 100_000 ? 5 : size >= 10_000 ? 10 : 30;
  let best = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  let bestPrint = Number.POSITIVE_INFINITY;
  let printed = '';
  try {
    for (let r = 0; r < reps; r++) {
      const parsed = time(() => parseIptablesSave(dump.text, { file, family: 'ipv4' }));
      best = Math.min(best, parsed.ms);
      bestCpu = Math.min(bestCpu, parsed.cpuMs);
      const p = time(() => printIptablesSave(parsed.value));
      bestPrint = Math.min(bestPrint, p.ms);
      printed = p.value;
    }
  } catch (e) {
    if (!(e instanceof NfwasmError)) throw e;
    console.error(`\n${file}: ${e.message}`);
    if (/does not support/.test(e.message) && !simple) {
      console.error(
        '(a module this shape needs is not written yet; --simple uses only tcp/comment and jumps)',
      );
    }
    failed = true;
    break;
  }
  const roundTrip = printed === dump.text;
  if (!roundTrip) failed = true;
  rows.push({
    target: size,
    rules: dump.rules,
    lines: dump.text.split('\n').length - 1,
    mb: Buffer.byteLength(dump.text) / 1e6,
    parseMs: best,
    parseCpuMs: bestCpu,
    printMs: bestPrint,
    roundTrip,
  });
}

if (rows.length > 0) {
  console.log(
    `\n${pad('rules', 8)} ${pad('lines', 8)} ${pad('MB', 6)} ${pad('parse ms', 9)} ${pad('cpu ms', 8)} ${pad('rules/s', 10)} ${pad('ns/rule', 8)} ${pad('print ms', 9)} ${pad('ns/rule', 8)}  round-trip`,
  );
  for (const r of rows) {
    console.log(
      [
        pad(r.rules, 8),
        pad(r.lines, 8),
        pad(r.mb.toFixed(2), 6),
        pad(r.parseMs.toFixed(1), 9),
        pad(r.parseCpuMs.toFixed(1), 8),
        pad(Math.round((r.rules / r.parseMs) * 1000).toLocaleString('en-US'), 10),
        pad(Math.round((r.parseMs * 1e6) / r.rules), 8),
        pad(r.printMs.toFixed(1), 9),
        pad(Math.round((r.printMs * 1e6) / r.rules), 8),
        ` ${r.roundTrip ? 'identical' : 'DIFFERS'}`,
      ].join(' '),
    );
  }
  const big = rows.find((r) => r.target === ACCEPTANCE_RULES);
  if (big) {
    const ok = big.parseMs < BUDGET_MS;
    console.log(
      `\nacceptance (100k rules under ${BUDGET_MS} ms): ${ok ? 'PASS' : 'FAIL'} (${big.parseMs.toFixed(1)} ms wall, ${big.parseCpuMs.toFixed(1)} ms CPU, best of runs; load average ${loadavg()[0]!.toFixed(2)})`,
    );
    if (!ok) failed = true;
  }
}

if (micro) {
  // One typical rule: a kube-proxy service dispatch line from KUBE-SERVICES.
  const line =
    '-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "ns1/svc1:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C';
  const env = {
    family: 'ipv4' as const,
    file: 'micro',
    line: 1,
    text: line,
    table: 'nat' as const,
    allowTable: false,
    chainName: (_table: string, chain: string) => chain,
  };
  const file = `*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-NUKIZ6OKUXPJNT4C - [0:0]\n${line}\nCOMMIT\n`;
  console.log(`\nmicro-benchmarks (benchmark.js), one rule line:\n  ${line}`);
  const suite = new Benchmark.Suite();
  const opts = quick ? { maxTime: 0.5, minSamples: 5 } : { maxTime: 2 };
  suite
    .add('splitRestoreLine', () => splitRestoreLine(line), opts)
    .add('splitRestoreLine + parseCommandLine', () => parseCommandLine(splitRestoreLine(line), env), opts)
    .add(
      'parseIptablesSave (whole *nat file, one rule)',
      () => parseIptablesSave(file, { file: 'micro', family: 'ipv4' }),
      opts,
    )
    .on('cycle', (event: Benchmark.Event) => {
      const b = event.target;
      const hz = b.hz ?? 0;
      console.log(
        `  ${pad(b.name ?? '', 46, true)} ${pad(Math.round(hz).toLocaleString('en-US'), 12)} ops/s  ${pad(Math.round(1e9 / hz), 7)} ns/op  ±${(b.stats?.rme ?? 0).toFixed(2)}% (${b.stats?.sample.length} samples)`,
      );
    })
    .run({ async: false });
}

if (failed) process.exitCode = 1;
