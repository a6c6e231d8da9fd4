// The kernel as a peer: the whole-packet-path scenario (bench/lib/path.ts: the Docker host
// ruleset with INPUT policy DROP on the routed host model, a seeded `nfwasm gen` trace) replayed
// with tcpreplay into a network namespace holding the same host and ruleset, next to nfwasm's
// WebAssembly and reference engines on the same frames, in the same run.
//
//   npm run bench:kernel [-- --size 100 --packets 200000 --flows 1000 --seed 1 --runs 1 --loop 0
//                            --reference-ms 3000 --markdown --no-write]
//
// The frames go out of a sender namespace in trace order through two veth pairs (tcpprep's CIDR
// split: the containers' subnet out the docker0 side, the rest out the eth0 side); the router
// forwards what it accepts back through its other veth, where the sender's end counts it. Kernel
// packets/s = frames the router received (its interface counters) / tcpreplay's duration: the
// sender shares the CPU and runs the router's receive path in its own context, so this is the
// rate of tcpreplay + veth + the kernel's path together. A floor pass (raw PREROUTING DROP) shows
// what the same setup reaches when netfilter stops every frame at the first hook. The first pass's
// per-rule counters are compared with the WebAssembly engine's after one pass over the same
// frames. --runs N: best of N passes (the router's connections flushed in between); --loop N: one
// more pass with tcpreplay --loop N (the same connections again, reported apart).
// Needs root and tcpreplay; elsewhere it says so and exits 0. Only touches namespaces it creates.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WasmEngine } from '../src/engine/wasm/engine.js';
import type { Ruleset } from '../src/ir/ruleset.js';
import { PcapWriter } from '../src/trace/index.js';
import { counterDiffs } from '../test/conformance/compare-with-kernel.js';
import { readHostSpec } from '../test/kernel/netns/host-spec.js';
import type { TableCounters } from '../test/kernel/netns/kernel-result.js';
import { readSnmp } from '../test/kernel/netns/read-host-state.js';
import { tryRun } from '../test/kernel/netns/sh.js';
import { kernelBenchUnavailable } from './kernel/availability.js';
import { cidrSplit, networkOf } from './kernel/interface-split.js';
import { type LinkCounters, linkDelta, readLinkCounters } from './kernel/link-counters.js';
import { disposeOnSignal } from './kernel/namespace-cleanup.js';
import { buildRouter, flushConntrack, type Router, readRuleCounters, restore } from './kernel/router.js';
import { type TcpreplayStats, tcpprepCidr, tcpreplay } from './kernel/tcpreplay.js';
import { BenchArgs } from './lib/args.js';
import { machineFacts } from './lib/machine.js';
import { type Frame, pathWorkload, ROUTED_HOST, runReference, runWasm } from './lib/path.js';
import { formatMarkdownTable, formatTable } from './lib/text-table.js';

const reason = kernelBenchUnavailable();
if (reason) {
  console.log(`bench:kernel skipped: ${reason}`);
  process.exit(0);
}

const args = new BenchArgs();
const options = {
  size: args.number('--size', 100),
  packets: args.number('--packets', 200_000),
  flows: args.number('--flows', 1000),
  seed: args.number('--seed', 1),
  runs: args.number('--runs', 1),
  referenceMs: args.number('--reference-ms', 3000),
  loop: args.number('--loop', 0),
};
const markdown = args.has('--markdown');
const command = `npm run bench:kernel${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
if (options.runs > 1 || options.loop > 1) {
  if (tryRun(['sh', '-c', 'command -v conntrack']).status !== 0)
    throw new Error('--runs and --loop flush the router’s connections between passes: install conntrack');
}
const log = (line: string) => process.stderr.write(`${line}\n`);
const started = process.hrtime.bigint();
const date = new Date().toISOString();

// ---- the scenario, as path.ts measures it
const workload = pathWorkload(options.size, options.packets, options.flows, options.seed);
const { frames } = workload;
const docker0 = readHostSpec(ROUTED_HOST).addr.find((l) => l.ifname === 'docker0')!;
const containerNet = docker0.addr_info!.find((a) => a.family === 'inet')!;
const split = cidrSplit(frames, 'docker0', networkOf(containerNet.local, containerNet.prefixlen));
if (split.misplacedCount > 0)
  throw new Error(
    `${split.misplacedCount} frames would leave by the wrong interface with tcpprep --cidr ${split.cidr} (trace positions ${split.misplaced.join(', ')}...)`,
  );
log(
  `${frames.length} frames (${split.primaryFrames} on ${split.primary}, ${split.secondaryFrames} on ${split.secondary}), ${workload.rules} rules`,
);

// ---- nfwasm's engines: one fresh engine per pass, each pass the whole trace once
interface Pass {
  readonly packets: number;
  readonly seconds: number;
}
const best = <P extends Pass>(passes: readonly P[]): P =>
  passes.reduce((a, b) => (b.seconds < a.seconds ? b : a));

function wasmPass(): { pass: Pass; ruleset: Ruleset } {
  const engine = new WasmEngine(workload.ruleset, workload.host, { seed: 1 });
  const { totalNs } = runWasm(engine, frames, 1);
  return { pass: { packets: frames.length, seconds: totalNs / 1e9 }, ruleset: engine.rulesetWithCounters() };
}

/** The reference engine runs a few thousand whole-path packets per second: the trace's first frames that fit the budget. */
function referencePass(): Pass {
  const r = runReference(workload.ruleset, workload.host, frames, options.referenceMs);
  return { packets: r.packets, seconds: r.packets / r.pps };
}

log('nfwasm engines...');
// A pass on a throwaway engine first: the kernel's code is warm, V8's should be too.
wasmPass();
const wasmRuns = Array.from({ length: options.runs }, wasmPass);
const referenceRuns = Array.from({ length: options.runs }, referencePass);
/** Next to --loop: the trace `loop` times through one engine, time shifted (connections age and renew). */
const wasmLoop: Pass | undefined =
  options.loop > 1
    ? {
        packets: frames.length * options.loop,
        seconds:
          runWasm(new WasmEngine(workload.ruleset, workload.host, { seed: 1 }), frames, options.loop)
            .totalNs / 1e9,
      }
    : undefined;

// ---- the kernel
interface KernelPass extends Pass {
  /** What tcpreplay says it sent, and at what rate. */
  readonly tcpreplay: TcpreplayStats;
  /** Frames the router received on eth0 and docker0 (packets is their sum). */
  readonly routerReceived: Readonly<Record<string, number>>;
  /** Frames the router sent (forwarded, and its own ICMP), and what came back to the sender's ends. */
  readonly routerSent: number;
  readonly sinkReceived: number;
  readonly dropped: number;
}

function writePcap(path: string, list: readonly Frame[]): Promise<void> {
  // Microsecond timestamps: the classic format every tcpreplay reads.
  const writer = PcapWriter.toFile(path, { nanosecond: false });
  for (const f of list) writer.writePacket(f.timestampNs, f.bytes);
  return writer.close();
}

const sum = (m: ReadonlyMap<string, LinkCounters>, f: (c: LinkCounters) => number) =>
  [...m.entries()].filter(([name]) => name !== 'lo').reduce((n, [, c]) => n + f(c), 0);

async function kernelPass(router: Router, pcap: string, cache: string, loop: number): Promise<KernelPass> {
  const before = readLinkCounters(router.ns);
  const sinkBefore = readLinkCounters(router.senderNs);
  const stats = await tcpreplay({
    ns: router.senderNs,
    pcap,
    cache,
    primaryDev: router.senderDev.get(split.primary)!,
    secondaryDev: router.senderDev.get(split.secondary)!,
    loop,
    cpu: 0,
  });
  const got = linkDelta(before, readLinkCounters(router.ns));
  const sink = linkDelta(sinkBefore, readLinkCounters(router.senderNs));
  const routerReceived = Object.fromEntries(
    [split.primary, split.secondary].map((name) => [name, got.get(name)?.rxPackets ?? 0]),
  );
  const received = Object.values(routerReceived).reduce((a, b) => a + b, 0);
  return {
    packets: received,
    seconds: stats.seconds,
    tcpreplay: stats,
    routerReceived,
    routerSent: sum(got, (c) => c.txPackets),
    sinkReceived: sum(sink, (c) => c.rxPackets),
    dropped: sum(got, (c) => c.rxDropped + c.txDropped) + sum(sink, (c) => c.rxDropped + c.txDropped),
  };
}

const work = mkdtempSync(join(tmpdir(), 'nfwasm-kernel-'));
const pcap = join(work, 'trace.pcap');
const cache = join(work, 'trace.cache');
await writePcap(pcap, frames);
tcpprepCidr(pcap, cache, split.cidr);

log('router namespace...');
let router: Router | undefined;
const cleanup = () => {
  router?.dispose();
  rmSync(work, { recursive: true, force: true });
};
const undoSignals = disposeOnSignal(cleanup);
const kernelRuns: KernelPass[] = [];
let loopPass: KernelPass | undefined;
let floorPass: KernelPass | undefined;
let kernelCounters: TableCounters[] = [];
/** The router's own packets during the first pass (SNMP): what it sent that no rule asked for. */
let ownPackets: Record<string, number> = {};
let warnings: readonly string[] = [];
try {
  router = buildRouter(ROUTED_HOST, workload.dump, frames);
  warnings = router.warnings;
  log(`kernel passes in ${router.ns}...`);
  kernelRuns.push(await kernelPass(router, pcap, cache, 1));
  kernelCounters = readRuleCounters(router.ns);
  ownPackets = Object.fromEntries(
    Object.entries(readSnmp(router.ns)).filter(
      ([k]) => (k.startsWith('Icmp.Out') && k !== 'Icmp.OutMsgs') || k === 'Ip.OutRequests',
    ),
  );
  for (let i = 1; i < options.runs; i++) {
    flushConntrack(router.ns);
    kernelRuns.push(await kernelPass(router, pcap, cache, 1));
  }
  if (options.loop > 1) {
    flushConntrack(router.ns);
    loopPass = await kernelPass(router, pcap, cache, options.loop);
  }
  // Last: the raw table stays registered once loaded, and the counters are read already.
  restore(router.ns, '*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j DROP\nCOMMIT\n');
  floorPass = await kernelPass(router, pcap, cache, 1);
} finally {
  cleanup();
  undoSignals();
}

// ---- agreement of the first kernel pass with the WebAssembly engine's first pass (the
// reference engine agrees with it packet for packet: test/wasm/engine-differential.test.ts)
const agreement = {
  rulesCompared: kernelCounters.reduce(
    (n, t) => n + t.chains.reduce((m, c) => m + c.rules.length + (c.policy ? 1 : 0), 0),
    0,
  ),
  differences: counterDiffs({ counters: { ipv4: kernelCounters } }, wasmRuns[0]!.ruleset),
};

// ---- report
const kernel = best(kernelRuns);
const first = kernelRuns[0]!;
const wasm = best(wasmRuns.map((r) => r.pass));
const reference = best(referenceRuns);
const pps = (p: Pass) => p.packets / p.seconds;
const mpps = (x: number) => (x >= 1e5 ? (x / 1e6).toFixed(3) : (x / 1e6).toPrecision(2));
const ratio = (r: number) => (r >= 10 ? `${r.toFixed(0)}x` : `${r.toFixed(2)}x`);
type Row = { name: string; pass: Pass };
const rows: Row[] = [
  { name: 'kernel: router receive counters / tcpreplay time', pass: kernel },
  {
    name: 'kernel: tcpreplay sent (its own count and time)',
    pass: { packets: kernel.tcpreplay.packets, seconds: kernel.tcpreplay.seconds },
  },
  ...(loopPass
    ? [{ name: `kernel: tcpreplay --loop ${options.loop} (same connections)`, pass: loopPass }]
    : []),
  ...(floorPass ? [{ name: 'kernel floor: raw PREROUTING DROP (no path)', pass: floorPass }] : []),
  { name: 'nfwasm WebAssembly engine (fresh, one pass)', pass: wasm },
  ...(wasmLoop
    ? [{ name: `nfwasm WebAssembly engine, ${options.loop} passes (time shifted)`, pass: wasmLoop }]
    : []),
  { name: `nfwasm reference engine (first frames in ${options.referenceMs} ms)`, pass: reference },
];
const columns = [
  { title: 'engine' },
  { title: 'packets', align: 'right' as const },
  { title: 'seconds', align: 'right' as const },
  { title: 'Mpps', align: 'right' as const },
  { title: 'ns/packet', align: 'right' as const },
  { title: 'vs kernel', align: 'right' as const },
];
const table = rows.map((r) => [
  r.name,
  String(r.pass.packets),
  r.pass.seconds.toFixed(3),
  mpps(pps(r.pass)),
  (1e9 / pps(r.pass)).toFixed(0),
  ratio(pps(r.pass) / pps(kernel)),
]);
const m = machineFacts();
console.log(
  `nfwasm vs the kernel: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, Linux ${m.kernel}, load ${m.loadAverage}; ${date}`,
);
console.log(
  `Docker host, ${workload.rules} rules (INPUT DROP), routed host model; gen trace seed ${options.seed}: ${frames.length} frames, ${options.flows} flows; ${options.runs > 1 ? `best of ${options.runs} passes` : 'one pass'} each`,
);
console.log(markdown ? formatMarkdownTable(columns, table) : formatTable(columns, table));
if (floorPass)
  console.log(
    `the kernel's path takes ${((kernel.seconds / kernel.packets - floorPass.seconds / floorPass.packets) * 1e9).toFixed(0)} ns/packet more than the floor (tcpreplay, veth, ip_rcv, one raw DROP)`,
  );
console.log(
  `kernel pass: tcpreplay sent ${first.tcpreplay.packets} (failed ${first.tcpreplay.failed}, retried ${first.tcpreplay.retried}); router received ${Object.entries(
    first.routerReceived,
  )
    .map(([k, v]) => `${v} on ${k}`)
    .join(
      ', ',
    )}, sent ${first.routerSent} (forwarded and its own; the sink got ${first.sinkReceived}), dropped by links ${first.dropped}`,
);
console.log(
  agreement.differences.length === 0
    ? `counters: the kernel and the WebAssembly engine agree on all ${agreement.rulesCompared} rules and policies`
    : `counters: the kernel and the WebAssembly engine differ on ${agreement.differences.length} of ${agreement.rulesCompared} rules and policies:`,
);
for (const d of agreement.differences.slice(0, 20)) console.log(`  ${d}`);
if (Object.keys(ownPackets).length > 0)
  console.log(
    `the router's own packets in that pass (SNMP): ${Object.entries(ownPackets)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}${ownPackets['Icmp.OutRedirects'] ? ' — ICMP redirects for frames routed back out the interface they came in on go down filter OUTPUT; nfwasm does not model redirects' : ''}`,
  );
for (const w of warnings) console.log(`warning: ${w}`);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`\n${seconds.toFixed(1)} s`);

if (!args.has('--no-write')) {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${date.slice(0, 10)}-kernel.json`);
  const result = {
    date,
    command,
    machine: m,
    options,
    scenario: {
      rules: workload.rules,
      frames: frames.length,
      split: { ...split, misplaced: undefined },
    },
    kernel: { runs: kernelRuns, loop: loopPass ?? null, floor: floorPass ?? null },
    wasm: wasmRuns.map((r) => r.pass),
    wasmLoop: wasmLoop ?? null,
    reference: referenceRuns,
    rates: Object.fromEntries(rows.map((r) => [r.name, pps(r.pass)])),
    agreement,
    routerOwnPackets: ownPackets,
    warnings,
    seconds,
  };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
