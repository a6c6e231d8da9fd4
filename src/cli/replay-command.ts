// nfwasm replay --rules R --host H TRACE [--out out.pcapng] [--counters c.v4] [--json F]
//   [--jsonl F] [--dropped F.pcapng] [--iface IF] [--seed N] [--explain N]
// Runs every packet of a capture through the ruleset on the host, writes what the host sent,
// the counters as `iptables-save -c`, per-packet records, the dropped packets, and a summary.

import { statSync, writeFileSync } from 'node:fs';
import { ReferenceEngine } from '../engine/reference/engine.js';
import type { PacketResult } from '../engine/reference/result.js';
import { WasmEngine, WasmPathUnsupported } from '../engine/wasm/engine.js';
import { formatDecision, formatExplanation } from '../explain/format-explanation.js';
import { printIptablesSave } from '../frontend/iptables/printer.js';
import { LineFile } from '../replay/line-file.js';
import { decisionText, packetRecord } from '../replay/packet-record.js';
import { ProgressBar, type ProgressStream } from '../replay/progress-bar.js';
import { formatReport, type ReplayReport, topRules } from '../replay/replay-report.js';
import {
  type ReplayOptions,
  type ReplayPacket,
  type ReplaySummary,
  replayTrace,
} from '../replay/replay-trace.js';
import { replayTraceWasm, WasmReplayUnsupported } from '../replay/replay-trace-wasm.js';
import type { TraceReader } from '../trace/index.js';

interface Run {
  readonly summary: ReplaySummary;
  readonly seconds: number;
  readonly reader: TraceReader;
  readonly engine: WasmEngine | ReferenceEngine;
}

import { formatTraceProblems, LinkType, openTrace, PcapngWriter } from '../trace/index.js';
import { type ParsedArgs, parseArgs, requireOption, stringOption, UsageError } from './args.js';
import { loadHostFile, loadRulesFile } from './scenario-files.js';

export const REPLAY_USAGE = `nfwasm replay --rules RULES --host HOST.json TRACE.pcapng [options]
  --out FILE.pcapng     write every packet the host sends (after NAT), one interface per egress
                        device, each with a comment naming the rule that let it out
  --counters FILE       write the counters as iptables-save -c ('-' for standard output)
  --json FILE           write a JSON summary (packets, seconds, pps, fates, top rules, conntrack)
  --jsonl FILE          write one JSON object per packet (number, time, iif, fate, decidedBy,
                        emitted packets, conntrack state)
  --dropped FILE.pcapng write the dropped and rejected packets as received, each commented
                        with the rule that decided
  --iface IF            ingress interface for packets whose capture interface has no name
  --seed N              seed of the run's random choices (default 1)
  --explain N           print the explanation of packet N (1-based) as the engine saw it
  --engine E            wasm (default) or reference; a trace the WebAssembly engine does not
                        handle yet is run on the reference engine, and the summary says why`;

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
};

export interface ReplayIo {
  /** Where the progress bar goes (default process.stderr): drawn only when it is a TTY. */
  readonly progress?: ProgressStream;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function replayCommand(argv: readonly string[], write: (s: string) => void, io: ReplayIo = {}): void {
  const args: ParsedArgs = parseArgs(argv, SPEC);
  const tracePath = args.positionals[0];
  if (!tracePath) throw new UsageError('missing TRACE (a pcap or pcapng file)');
  const ruleset = loadRulesFile(requireOption(args, 'rules'));
  const host = loadHostFile(requireOption(args, 'host'));
  const seed = Number(stringOption(args, 'seed') ?? 1);
  const explainAt =
    stringOption(args, 'explain') === undefined ? undefined : Number(stringOption(args, 'explain'));
  const engineOption = stringOption(args, 'engine') ?? 'wasm';
  if (engineOption !== 'wasm' && engineOption !== 'reference')
    throw new UsageError(`--engine: expected wasm or reference, not ${engineOption}`);
  const progress = new ProgressBar(io.progress ?? process.stderr, {
    totalBytes: tracePath === '-' ? 0 : fileSize(tracePath),
  });
  let explained: PacketResult | undefined;
  let fallback: string | undefined;
  let run: Run | undefined;
  if (engineOption === 'wasm') {
    try {
      run = runOnce('wasm');
    } catch (e) {
      if (!(e instanceof WasmReplayUnsupported) && !(e instanceof WasmPathUnsupported)) throw e;
      fallback = e.message;
    }
  }
  run ??= runOnce('reference');
  const { summary, seconds, reader, engine } = run;

  /** One pass over the trace with the given engine, every output written afresh. */
  function runOnce(kind: 'wasm' | 'reference'): Run {
    const engine =
      kind === 'wasm'
        ? new WasmEngine(ruleset, host, { seed })
        : new ReferenceEngine(ruleset, host, { seed });
    const outPath = stringOption(args, 'out');
    const out = outPath ? PcapngWriter.toFile(outPath) : undefined;
    const jsonlPath = stringOption(args, 'jsonl');
    const jsonl = jsonlPath ? new LineFile(jsonlPath) : undefined;
    const droppedPath = stringOption(args, 'dropped');
    const dropped = droppedPath ? PcapngWriter.toFile(droppedPath) : undefined;
    const reader = openTrace(tracePath!);
    const started = process.hrtime.bigint();
    const perPacket = out || jsonl || dropped || explainAt !== undefined || progress.active;
    const options: ReplayOptions = {
      ...(stringOption(args, 'iface') ? { iface: stringOption(args, 'iface')! } : {}),
      trace: false,
      ...(perPacket
        ? {
            onPacket: (p: ReplayPacket) => {
              if (p.number === explainAt) explained = p.result;
              progress.update(p.number, p.fileOffset);
              if (jsonl) jsonl.writeLine(JSON.stringify(packetRecord(p)));
              const fate = p.result.fate;
              if (dropped && (fate.kind === 'dropped' || fate.kind === 'rejected')) {
                const ifId = dropped.interfaceFor(p.iif, p.linkType);
                const comment = fate.decidedBy
                  ? `${fate.kind}: ${decisionText(fate.decidedBy)}`
                  : `${fate.kind}${fate.kind === 'dropped' ? `: ${fate.reason}` : ''}`;
                dropped.writePacket(ifId, p.timestampNs, p.data, { comment, direction: 'inbound' });
              }
              for (const e of p.result.emitted) {
                if (out) {
                  const ifId = out.interfaceFor(
                    e.oif,
                    e.bytes[0]! >>> 4 === 6 ? LinkType.Ipv6 : LinkType.Ipv4,
                  );
                  const comment = `${e.cause}${e.decidedBy ? `: ${formatDecision(e.decidedBy)}` : ''}`;
                  out.writePacket(ifId, p.timestampNs, e.bytes, { comment, direction: 'outbound' });
                }
              }
            },
          }
        : {}),
    };
    try {
      const summary =
        engine instanceof WasmEngine
          ? replayTraceWasm(engine, reader, options)
          : replayTrace(engine, reader, options);
      return { summary, seconds: Number(process.hrtime.bigint() - started) / 1e9, reader, engine };
    } finally {
      if (kind === 'reference' || fallback === undefined) progress.finish();
      reader.close();
      // File sinks close synchronously: the promises are already settled.
      void out?.close();
      void dropped?.close();
      jsonl?.close();
    }
  }
  const problems = reader.problems;
  // The explanation is traced by running the packets up to N again with tracing on.
  if (explainAt !== undefined) {
    if (!explained)
      throw new UsageError(`--explain ${explainAt}: the trace has only ${summary.packets} packets`);
    const again = new ReferenceEngine(ruleset, host, { seed });
    const r2 = openTrace(tracePath);
    try {
      replayTrace(again, r2, {
        trace: true,
        onPacket: (p) => {
          if (p.number === explainAt) explained = p.result;
        },
      });
    } finally {
      r2.close();
    }
    write(`packet ${explainAt}:\n${formatExplanation(explained!, { family: ruleset.family })}\n`);
  }
  const counters = stringOption(args, 'counters');
  if (counters) {
    const text = printIptablesSave(engine.rulesetWithCounters(), { counters: true });
    if (counters === '-') write(text);
    else writeFileSync(counters, text);
  }
  const pps = seconds > 0 ? summary.packets / seconds : 0;
  const report: ReplayReport = {
    packets: summary.packets,
    seconds,
    pps,
    fates: summary.fates,
    skipped: summary.skipped,
    topRules: topRules(engine.rulesetWithCounters()),
    conntrack:
      engine instanceof WasmEngine
        ? engine.conntrackStats()
        : { entries: engine.conntrack.count, stats: { ...engine.conntrack.stats } },
    traceProblems: problems.total,
    engine: engine instanceof WasmEngine ? 'wasm' : 'reference',
    ...(fallback ? { fallback } : {}),
  };
  let text = formatReport(report);
  if (problems.total > 0) text += `trace problems: ${formatTraceProblems(problems)}\n`;
  write(text);
  const jsonPath = stringOption(args, 'json');
  if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
}
