// `nfwasm replay --workers`: the same trace replayed by one and by two workers, in one run,
// through the command line as users run it (dist/, so `npm run build` first), each run a child
// process whose peak RSS is reported. The scenario is the routed Docker fixture
// (test/fixtures/wasm-engine/: conntrack, DNAT, MASQUERADE) with a seeded `nfwasm gen` trace,
// TCP and UDP only, without the host's own (@local) packets and without the TCP segments the
// INPUT rule lets in to the host's port 80 (nothing listens there: the kernel would answer with
// a RST). The WebAssembly engine did not take those when the first figures were made; they stay
// out so that traces cached from then and figures compare. Runs alternate 1, 2, 1, 2, ... workers (ROUNDS times each) and the best of each is
// compared, so load from other processes disturbs the ratio less; the counters of every run
// must be identical. Two workers run twice a round: on the trace file (each worker reads its
// frames from the file) and with the trace on standard input (the main thread stages each
// worker's frames in shared memory, frame-keyer.ts). The ratios within each round are printed
// too, as the machine's load moves between rounds.
//
// A last row measures what any sharded replay could gain on the machine: the trace split by the
// workers' own sharding (connection-sharding.ts) into two files, replayed by two single-threaded
// processes at once. Their counters add up to the one-worker run's but for a connection or two
// whose NAT port draws follow the renumbered packets; the ratio is what sharding over two cores
// can reach here, with no cost of its own.
//
//   npm run build && npx tsx bench/replay-workers.bench.ts [PACKETS=10000000] [ROUNDS=2] [FLOWS=20000] [RATE=10000]
//
// RATE is the trace's packets per second of capture time: at 10k pps connections expire about as
// fast as they start and the connection table levels off well below nf_conntrack_max (at gen's
// default of 100k pps a 10M-packet trace fills it, and early drop then dominates the run).
// The trace is written once to $TMPDIR/nfwasm-bench-replay-<PACKETS>-<FLOWS>-<RATE>.pcapng and reused.

import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleset } from '../src/frontend/load-ruleset.js';
import { generateTrace } from '../src/gen/index.js';
import { parseTrafficMix } from '../src/gen/traffic-mix.js';
import { parseHostFile } from '../src/host/index.js';
import { ConnectionSharding, type FramesAhead } from '../src/replay/connection-sharding.js';
import { FdSink, openTrace, type PacketWriteOptions, PcapngWriter } from '../src/trace/index.js';

const packets = Number(process.argv[2] ?? 10_000_000);
const rounds = Number(process.argv[3] ?? 2);
const flows = Number(process.argv[4] ?? 20_000);
const rate = Number(process.argv[5] ?? 10_000);
const root = join(import.meta.dirname, '..');
const rulesFile = join(root, 'test/fixtures/wasm-engine/docker-routed.v4');
const hostFile = join(root, 'test/fixtures/wasm-engine/routed-host.json');

/**
 * A writer that leaves out what makes the host answer itself, which the WebAssembly path does
 * not do yet: the host's own packets (`@local`), and TCP to the host's port 80 from
 * 172.16.0.0/24 (docker-routed.v4's INPUT ACCEPT), which no socket takes.
 */
class WithoutHostAnswers extends PcapngWriter {
  constructor(
    sink: FdSink,
    private readonly hostAddresses: ReadonlySet<number>,
  ) {
    super(sink);
  }

  override interfaceFor(name: string, linkType?: number): number {
    return name.startsWith('@') ? -1 : super.interfaceFor(name, linkType);
  }

  override writePacket(id: number, ts: bigint, data: Uint8Array, options?: PacketWriteOptions): void {
    if (id < 0) return;
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const toPort80 =
      data.length >= 38 &&
      v.getUint16(12) === 0x0800 &&
      data[23] === 6 &&
      v.getUint32(26) >>> 8 === 0xac1000 &&
      this.hostAddresses.has(v.getUint32(30)) &&
      v.getUint16(14 + (data[14]! & 15) * 4 + 2) === 80;
    if (!toPort80) super.writePacket(id, ts, data, options);
  }
}

const trace = join(tmpdir(), `nfwasm-bench-replay-${packets}-${flows}-${rate}.pcapng`);
if (!existsSync(trace)) {
  const { ruleset } = loadRuleset(readFileSync(rulesFile, 'utf8'), { file: rulesFile });
  const host = parseHostFile(readFileSync(hostFile, 'utf8'), { file: hostFile });
  const partial = `${trace}.partial`;
  const addresses = new Set(
    host.interfaces.flatMap((i) =>
      i.addresses.filter((a) => a.family === 'ipv4').map((a) => a.words[0]! >>> 0),
    ),
  );
  const writer = new WithoutHostAnswers(FdSink.create(partial), addresses);
  const t0 = performance.now();
  // About 15% of the generated packets are @local: generate enough for `packets` to remain.
  generateTrace(writer, {
    ruleset,
    host,
    packets: Math.ceil(packets / 0.84),
    flows,
    rate,
    seed: 1,
    mix: parseTrafficMix('tcp=60,udp=40'),
  });
  await writer.close();
  renameSync(partial, trace);
  console.log(`wrote ${trace} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
console.log(`trace: ${trace} (${(statSync(trace).size / 2 ** 20).toFixed(0)} MiB)`);

interface Result {
  readonly workers: number;
  readonly packets: number;
  readonly seconds: number;
  readonly maxRssMiB: number;
  /** CPU seconds of all its threads. */
  readonly cpuSeconds: number;
  readonly shards: string;
  readonly counters: string;
  readonly engine: string;
}

const out = mkdtempSync(join(tmpdir(), 'nfwasm-bench-replay-'));
// The CLI in a child process, which reports its peak RSS (threads included) when done.
const child = join(out, 'replay.mjs');
writeFileSync(
  child,
  `const { main } = await import(${JSON.stringify(join(root, 'dist/cli/main.js'))});
await main(process.argv.slice(2));
const u = process.resourceUsage();
process.stderr.write('maxrss ' + u.maxRSS + ' cpu ' + (u.userCPUTime + u.systemCPUTime) / 1e6 + '\\n');
`,
);

/** The trace split into two files by the workers' sharding. */
async function splitTrace(): Promise<string[]> {
  const { ruleset } = loadRuleset(readFileSync(rulesFile, 'utf8'), { file: rulesFile });
  const host = parseHostFile(readFileSync(hostFile, 'utf8'), { file: hostFile });
  const sharding = new ConnectionSharding(ruleset, host, 2);
  const files = [0, 1].map((i) => join(out, `half-${i}.pcapng`));
  const writers = files.map((f) => new PcapngWriter(FdSink.create(f)));
  const t0 = performance.now();
  // As replay-workers.ts keys frames: batch by batch, a fragment that came early looking ahead.
  for (const b of openTrace(trace).batchesSync()) {
    const ahead: FramesAhead = {
      count: b.count,
      linkType: (j) => b.interfaceOf(j).linkType,
      offset: (j) => b.offset[j]!,
      length: (j) => b.capturedLength[j]!,
    };
    for (let i = 0; i < b.count; i++) {
      const start = b.offset[i]!;
      const data = b.data.subarray(start, start + b.capturedLength[i]!);
      const itf = b.interfaceOf(i);
      const w = writers[sharding.shardOf(b.data, start, data.length, itf.linkType, ahead, i + 1)]!;
      w.writePacket(w.interfaceFor(itf.name ?? '', itf.linkType), b.timestamp[i]!, data);
    }
  }
  for (const w of writers) await w.close();
  console.log(
    `split the trace by connection into two files in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return files;
}

/** The rules' and policies' [packets:bytes] of iptables-save -c files added line by line. */
function sumCounterFiles(files: readonly string[]): string {
  const texts = files.map((f) => readFileSync(f, 'utf8').split('\n'));
  return texts[0]!
    .map((line, i) =>
      line.replace(/\[(\d+):(\d+)\]/, () => {
        let p = 0n;
        let b = 0n;
        for (const t of texts) {
          const m = /\[(\d+):(\d+)\]/.exec(t[i]!)!;
          p += BigInt(m[1]!);
          b += BigInt(m[2]!);
        }
        return `[${p}:${b}]`;
      }),
    )
    .join('\n');
}

function differingLines(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  let n = Math.abs(x.length - y.length);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) n++;
  return n;
}

/** One single-threaded replay per file, all at once: wall seconds until the last is done. */
async function replayAtOnce(files: readonly string[]): Promise<Result> {
  const t0 = performance.now();
  const runs = await Promise.all(
    files.map(
      (file, i) =>
        new Promise<{ stderr: string; json: string; counters: string }>((resolve, reject) => {
          const counters = join(out, `counters-half-${i}.v4`);
          const json = join(out, `summary-half-${i}.json`);
          const args = ['replay', '--rules', rulesFile, '--host', hostFile, file];
          const c = spawn(process.execPath, [child, ...args, '--counters', counters, '--json', json]);
          let stderr = '';
          c.stderr.on('data', (d) => {
            stderr += d;
          });
          c.on('error', reject);
          c.on('close', (code) =>
            code === 0
              ? resolve({ stderr, json, counters })
              : reject(new Error(`replay of ${file} failed: ${stderr}`)),
          );
        }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  const summaries = runs.map((r) => JSON.parse(readFileSync(r.json, 'utf8')));
  return {
    workers: files.length,
    packets: summaries.reduce((n, s) => n + s.packets, 0),
    seconds,
    maxRssMiB: Math.max(...runs.map((r) => Number(/maxrss (\d+)/.exec(r.stderr)![1]) / 1024)),
    cpuSeconds: runs.reduce((n, r) => n + Number(/ cpu ([\d.]+)/.exec(r.stderr)![1]), 0),
    shards: summaries.map((s) => `${s.packets} packets/${s.seconds.toFixed(2)} s`).join(', '),
    counters: sumCounterFiles(runs.map((r) => r.counters)),
    engine: 'processes on halves',
  };
}

/** `fromStdin`: the trace on standard input, so that workers copy frames out of the main thread's chunks. */
function replay(workers: number, fromStdin = false): Result {
  const counters = join(out, `counters-${workers}.v4`);
  const json = join(out, `summary-${workers}.json`);
  const input = fromStdin ? '-' : trace;
  const args = ['replay', '--rules', rulesFile, '--host', hostFile, input, '--workers', String(workers)];
  const t0 = performance.now();
  const stdin = fromStdin ? openSync(trace, 'r') : 'ignore';
  const r = spawnSync(process.execPath, [child, ...args, '--counters', counters, '--json', json], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: [stdin, 'pipe', 'pipe'],
  });
  if (typeof stdin === 'number') closeSync(stdin);
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`replay --workers ${workers} failed: ${r.stderr}`);
  const summary = JSON.parse(readFileSync(json, 'utf8'));
  if (summary.fallback) throw new Error(`the run fell back to the reference engine: ${summary.fallback}`);
  return {
    workers,
    packets: summary.packets,
    seconds,
    maxRssMiB: Number(/maxrss (\d+)/.exec(r.stderr)![1]) / 1024,
    cpuSeconds: Number(/ cpu ([\d.]+)/.exec(r.stderr)![1]),
    shards: (summary.shards ?? [])
      .map(
        (s: { packets: number; busySeconds: number }) =>
          `${s.packets} packets/${s.busySeconds.toFixed(2)} s busy`,
      )
      .join(', '),
    counters: readFileSync(counters, 'utf8'),
    engine: `${summary.engine}${fromStdin ? ', trace on stdin' : ''}`,
  };
}

const line = (r: Result) =>
  `${String(r.workers).padStart(2)} ${r.engine === 'processes on halves' ? 'processes' : 'worker(s)'}  ${r.packets} packets  ${r.seconds.toFixed(2).padStart(7)} s  ${(r.packets / r.seconds / 1e6).toFixed(3)} Mpps  ${((r.seconds * 1e9) / r.packets).toFixed(0).padStart(5)} ns/packet  peak RSS ${r.maxRssMiB.toFixed(0)} MiB  CPU ${r.cpuSeconds.toFixed(2)} s  (${r.engine}${r.shards ? `; ${r.shards}` : ''})`;

// Read the trace once so that the first run does not also pay for the disk.
{
  const t0 = performance.now();
  const fd = openSync(trace, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  while (readSync(fd, buf) > 0);
  closeSync(fd);
  console.log(`read the trace once (page cache) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const halves = await splitTrace();
const best = new Map<string, Result>();
/** Each round's seconds by kind, for the ratios within a round (the machine's load moves between rounds). */
const perRound: Map<string, number>[] = [];
let counters: string | undefined;
for (let round = 0; round < rounds; round++)
  for (const kind of ['1', '2', '2 stdin', 'halves']) {
    const r =
      kind === 'halves' ? await replayAtOnce(halves) : replay(Number(kind[0]), kind.endsWith('stdin'));
    console.log(line(r));
    counters ??= r.counters;
    if (kind === 'halves') {
      // A packet's random draws (NAT's port choice) are seeded by its number in its file, which
      // the split renumbers: a few NAT'd connections may fare otherwise. Workers keep the numbers.
      const differ = differingLines(r.counters, counters);
      if (differ > 4) throw new Error(`${line(r)}: ${differ} counters differ from the first run's`);
      if (differ > 0)
        console.log(
          `    (${differ} counter lines differ from the one-worker run's: renumbered packets draw otherwise)`,
        );
    } else if (r.counters !== counters)
      throw new Error(`${line(r)}: the counters differ from the first run's`);
    const b = best.get(kind);
    if (!b || r.seconds < b.seconds) best.set(kind, r);
    const times = perRound[round] ?? new Map<string, number>();
    perRound[round] = times.set(kind, r.seconds);
  }
const one = best.get('1')!;
const two = best.get('2')!;
const twoStdin = best.get('2 stdin')!;
const ceiling = best.get('halves')!;
console.log('best of each:');
console.log(line(one));
console.log(line(two));
console.log(line(twoStdin));
console.log(line(ceiling));
console.log(
  `2 workers / 1 worker: ${(one.seconds / two.seconds).toFixed(2)}x faster (${(one.seconds / twoStdin.seconds).toFixed(2)}x with the trace on stdin); counters identical in all ${3 * rounds} runs of the workers`,
);
console.log(
  `2 processes on the halves / 1 worker: ${(one.seconds / ceiling.seconds).toFixed(2)}x (what sharding over 2 cores can reach here)`,
);
console.log(
  `within each round, 1 worker / 2 workers (/ 2 on stdin, / the halves): ${perRound
    .map((m) => {
      const ratio = (kind: string) => (m.get('1')! / m.get(kind)!).toFixed(2);
      return `${ratio('2')}x (${ratio('2 stdin')}x, ${ratio('halves')}x)`;
    })
    .join(', ')}`,
);
console.log(`(whole command: reading the trace, starting the workers, the run and the outputs)`);
rmSync(out, { recursive: true, force: true });
