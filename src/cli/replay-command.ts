// nfwasm replay --rules R --host H TRACE [--out out.pcapng] [--counters c.v4] [--json F]
//   [--jsonl F] [--dropped F.pcapng] [--iface IF] [--seed N] [--explain N] [--engine E]
//   [--workers N]
// Runs every packet of a capture through the ruleset on the host, writes what the host sent,
// the counters as `iptables-save -c`, per-packet records, the dropped packets, and a summary.

import { closeSync, openSync, statSync, writeFileSync } from 'node:fs';
import type { ConntrackStats } from '../engine/conntrack/table.js';
import { ReferenceEngine } from '../engine/reference/engine.js';
import type { PacketResult } from '../engine/reference/result.js';
import { WasmEngine, WasmPathUnsupported } from '../engine/wasm/engine.js';
import { formatExplanation } from '../explain/format-explanation.js';
import { printIptablesSave } from '../frontend/iptables/printer.js';
import { loadRuleset } from '../frontend/load-ruleset.js';
import { parseHostFile } from '../host/index.js';
import type { Ruleset } from '../ir/ruleset.js';
import { ConnectionSharding } from '../replay/connection-sharding.js';
import { withCounters } from '../replay/counter-vector.js';
import { FrameKeyer } from '../replay/frame-keyer.js';
import { packetOutcome } from '../replay/packet-outcome.js';
import { ProgressBar, type ProgressStream } from '../replay/progress-bar.js';
import { ReplayOutputs } from '../replay/replay-outputs.js';
import {
  type FastPaths,
  fastPathsOf,
  formatReport,
  type ReplayReport,
  topRules,
} from '../replay/replay-report.js';
import {
  type ReplayOptions,
  type ReplayPacket,
  type ReplaySummary,
  replayTrace,
} from '../replay/replay-trace.js';
import { replayReaderWasm, WasmReplayUnsupported } from '../replay/replay-trace-wasm.js';
import { ROUND_PACKETS, replayWithWorkers, WasmRunUnsupported } from '../replay/replay-workers.js';
import { SharedChunks } from '../replay/shared-chunks.js';
import { singleWorkerReason } from '../replay/worker-limits.js';
import { DEFAULT_BATCH_CAPACITY, formatTraceProblems, openTrace, type TraceReader } from '../trace/index.js';
import { type ParsedArgs, parseArgs, requireOption, stringOption, UsageError } from './args.js';
import { readText } from './scenario-files.js';

export const REPLAY_USAGE = `nfwasm replay --rules RULES --host HOST.json TRACE.pcapng [options]
  --out FILE.pcapng     write every packet the host sends (after NAT), one interface per egress
                        device, each with a comment naming the rule that let it out
  --counters FILE       write the counters as iptables-save -c
  --json FILE           write a JSON summary (packets, seconds, pps, fates, top rules, conntrack)
  --jsonl FILE          write one JSON object per packet (number, time, iif, fate, decidedBy,
                        emitted packets, conntrack state)
  --dropped FILE.pcapng write the dropped and rejected packets as received, each commented
                        with the rule that decided
                        (each FILE may be '-', standard output, for one of these options; the
                        summary then goes to standard error)
  --iface IF            ingress interface for packets whose capture interface has no name
  --seed N              seed of the run's random choices (default 1)
  --explain N           print the explanation of packet N (1-based) as the engine saw it
  --engine E            wasm (default) or reference; a trace the WebAssembly engine does not
                        handle yet is run on the reference engine, and the summary says why
  --workers N           run N engines in worker threads, each connection on one of them
                        (default 1); the outputs are those of one engine`;

const SPEC = {
  rules: true,
  host: true,
  out: true,
  counters: true,
  json: true,
  jsonl: true,
  dropped: true,
  iface: true,
  seed: true,
  explain: true,
  engine: true,
  workers: true,
};

/** The outputs that take a FILE, '-' meaning standard output. */
const FILE_OPTIONS = ['out', 'counters', 'json', 'jsonl', 'dropped'] as const;

export interface ReplayIo {
  /** Where the progress bar goes (default process.stderr): drawn only when it is a TTY. */
  readonly progress?: ProgressStream;
  /** Standard output as bytes, for a pcapng written to '-' (default process.stdout). */
  readonly stdoutBytes?: (b: Uint8Array) => void;
  /** Standard error, where the summary goes when an output is '-' (default process.stderr). */
  readonly stderr?: (s: string) => void;
}

interface Run {
  readonly summary: ReplaySummary;
  readonly seconds: number;
  readonly problems: TraceReader['problems'];
  /** The ruleset carrying the run's counters. */
  readonly counted: Ruleset;
  readonly conntrack: { readonly entries: number; readonly stats: ConntrackStats };
  readonly shards?: ReplayReport['shards'];
  readonly fastPaths?: FastPaths;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function positiveInteger(args: ParsedArgs, name: string, fallback: number): number {
  const text = stringOption(args, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new UsageError(`--${name}: expected a whole number from 1 to 64, not ${text}`);
  return n;
}

export async function replayCommand(
  argv: readonly string[],
  write: (s: string) => void,
  io: ReplayIo = {},
): Promise<void> {
  const args: ParsedArgs = parseArgs(argv, SPEC);
  const tracePath = args.positionals[0];
  if (!tracePath) throw new UsageError('missing TRACE (a pcap or pcapng file)');
  const seed = Number(stringOption(args, 'seed') ?? 1);
  const explainAt =
    stringOption(args, 'explain') === undefined ? undefined : Number(stringOption(args, 'explain'));
  const engineOption = stringOption(args, 'engine') ?? 'wasm';
  if (engineOption !== 'wasm' && engineOption !== 'reference')
    throw new UsageError(`--engine: expected wasm or reference, not ${engineOption}`);
  const workers = positiveInteger(args, 'workers', 1);
  const toStdout = FILE_OPTIONS.filter((o) => stringOption(args, o) === '-');
  if (toStdout.length > 1)
    throw new UsageError(
      `only one output can go to standard output ('-'), not ${toStdout.map((o) => `--${o}`).join(' and ')}`,
    );
  const rules = { file: requireOption(args, 'rules'), text: '' };
  rules.text = readText(rules.file);
  const hostFile = { file: requireOption(args, 'host'), text: '' };
  hostFile.text = readText(hostFile.file);
  const ruleset = loadRuleset(rules.text, { file: rules.file }).ruleset;
  const host = parseHostFile(hostFile.text, { file: hostFile.file });
  // With an output on standard output, the explanation and summary go to standard error.
  const report = toStdout.length > 0 ? (io.stderr ?? ((s: string) => process.stderr.write(s))) : write;
  const outputs = new ReplayOutputs(
    {
      out: stringOption(args, 'out'),
      jsonl: stringOption(args, 'jsonl'),
      dropped: stringOption(args, 'dropped'),
    },
    { text: write, bytes: io.stdoutBytes ?? ((b) => process.stdout.write(b)) },
  );
  const progress = new ProgressBar(io.progress ?? process.stderr, {
    totalBytes: tracePath === '-' ? 0 : fileSize(tracePath),
  });
  const iface = stringOption(args, 'iface');
  const oneWorker = workers > 1 ? singleWorkerReason(ruleset, host) : undefined;
  const threads = oneWorker ? 1 : workers;

  /** One pass over the trace with the given engine, in this thread. */
  function runHere(kind: 'wasm' | 'reference'): Run {
    const engine =
      kind === 'wasm'
        ? new WasmEngine(ruleset, host, { seed })
        : new ReferenceEngine(ruleset, host, { seed });
    const reader = openTrace(tracePath!);
    const started = process.hrtime.bigint();
    const perPacket = outputs.perPacket;
    const options: ReplayOptions = {
      ...(iface ? { iface } : {}),
      trace: false,
      ...(perPacket || progress.active
        ? {
            onPacket: (p: ReplayPacket) => {
              progress.update(p.number, p.fileOffset);
              if (perPacket) outputs.write(packetOutcome(p, outputs.wants));
            },
          }
        : {}),
    };
    try {
      const summary =
        engine instanceof WasmEngine
          ? replayReaderWasm(engine, reader, {
              ...options,
              ...(perPacket
                ? {}
                : { onPacket: undefined, onProgress: (n: number, at: number) => progress.update(n, at) }),
            })
          : replayTrace(engine, reader, options);
      return {
        summary,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        problems: reader.problems,
        counted: engine.rulesetWithCounters(),
        conntrack:
          engine instanceof WasmEngine
            ? engine.conntrackStats()
            : { entries: engine.conntrack.count, stats: { ...engine.conntrack.stats } },
        ...(engine instanceof WasmEngine ? { fastPaths: fastPathsOf(engine) } : {}),
      };
    } finally {
      reader.close();
    }
  }

  /** One pass over the trace with the given engine, in `threads` workers. */
  async function runInWorkers(kind: 'wasm' | 'reference'): Promise<Run> {
    // Workers read their frames from a regular file themselves (worker-protocol.ts), through a
    // descriptor of the process that outlives them; the reader then keeps its own chunks.
    const traceFd =
      kind === 'wasm' && !outputs.perPacket && tracePath !== '-' && statSync(tracePath!).isFile()
        ? openSync(tracePath!, 'r')
        : undefined;
    const chunks = new SharedChunks();
    // With the WebAssembly engine and no per-packet outputs the main thread decodes and keys
    // frames in WebAssembly (frame-keyer.ts); workers read their frames from the file, or from
    // the keyer's staging (standard input).
    const sharding = new ConnectionSharding(ruleset, host, threads);
    const staging = traceFd === undefined;
    const keyer =
      kind === 'wasm' && !outputs.perPacket && FrameKeyer.fits(threads, { staging })
        ? new FrameKeyer(sharding, threads, {
            batchCapacity: DEFAULT_BATCH_CAPACITY,
            roundPackets: ROUND_PACKETS,
            staging,
          })
        : undefined;
    const reader = openTrace(
      tracePath!,
      keyer ? keyer.readerOptions : traceFd !== undefined ? {} : { allocateChunk: chunks.allocate },
    );
    const started = process.hrtime.bigint();
    try {
      const r = await replayWithWorkers({
        chunks,
        workers: threads,
        init: {
          rules,
          host: hostFile,
          engine: kind,
          seed,
          wants: outputs.wants,
          ...(traceFd === undefined ? {} : { traceFd }),
        },
        ruleset,
        host,
        reader,
        iface,
        outputs,
        progress,
        sharding,
        ...(keyer ? { keyer } : {}),
      });
      return {
        summary: r.summary,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        problems: reader.problems,
        counted: withCounters(ruleset, r.counters),
        conntrack: r.conntrack,
        shards: r.shards,
        ...(r.fastPaths ? { fastPaths: r.fastPaths } : {}),
      };
    } finally {
      reader.close();
      if (traceFd !== undefined) closeSync(traceFd);
    }
  }

  const runOnce = (kind: 'wasm' | 'reference'): Promise<Run> | Run =>
    threads > 1 ? runInWorkers(kind) : runHere(kind);
  let fallback: string | undefined;
  let run: Run | undefined;
  try {
    if (engineOption === 'wasm') {
      try {
        run = await runOnce('wasm');
      } catch (e) {
        if (
          !(e instanceof WasmReplayUnsupported) &&
          !(e instanceof WasmPathUnsupported) &&
          !(e instanceof WasmRunUnsupported)
        )
          throw e;
        fallback = e.message;
      }
    }
    run ??= await runOnce('reference');
  } finally {
    progress.finish();
    outputs.close();
  }
  const { summary, seconds, problems, counted } = run;

  // The explanation is traced by running the packets up to N again with tracing on.
  if (explainAt !== undefined) {
    let explained: PacketResult | undefined;
    if (explainAt >= 1 && explainAt <= summary.packets) {
      const again = new ReferenceEngine(ruleset, host, { seed });
      const r2 = openTrace(tracePath);
      try {
        replayTrace(again, r2, {
          ...(iface ? { iface } : {}),
          trace: true,
          onPacket: (p) => {
            if (p.number === explainAt) explained = p.result;
          },
        });
      } finally {
        r2.close();
      }
    }
    if (!explained)
      throw new UsageError(`--explain ${explainAt}: the trace has only ${summary.packets} packets`);
    report(`packet ${explainAt}:\n${formatExplanation(explained, { family: ruleset.family })}\n`);
  }
  const counters = stringOption(args, 'counters');
  if (counters) {
    const text = printIptablesSave(counted, { counters: true });
    if (counters === '-') write(text);
    else writeFileSync(counters, text);
  }
  const pps = seconds > 0 ? summary.packets / seconds : 0;
  const replayReport: ReplayReport = {
    packets: summary.packets,
    seconds,
    pps,
    // In a fixed order (most packets first), whichever worker saw which fate first.
    fates: Object.fromEntries(
      Object.entries(summary.fates).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    ),
    skipped: summary.skipped,
    topRules: topRules(counted),
    conntrack: run.conntrack,
    ...(run.fastPaths && fallback === undefined ? { fastPaths: run.fastPaths } : {}),
    traceProblems: problems.total,
    engine: fallback === undefined ? engineOption : 'reference',
    workers: threads,
    ...(run.shards ? { shards: run.shards } : {}),
    ...(fallback ? { fallback } : {}),
    ...(oneWorker ? { oneWorker } : {}),
  };
  let text = formatReport(replayReport);
  if (problems.total > 0) text += `trace problems: ${formatTraceProblems(problems)}\n`;
  report(text);
  const jsonPath = stringOption(args, 'json');
  const json = `${JSON.stringify(replayReport, null, 2)}\n`;
  if (jsonPath === '-') write(json);
  else if (jsonPath) writeFileSync(jsonPath, json);
}
