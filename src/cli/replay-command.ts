// nfwasm replay --rules R --host H TRACE [--out out.pcapng] [--counters c.v4] [--json F]
//   [--iface IF] [--seed N] [--explain N]
// Runs every packet of a capture through the ruleset on the host, writes what the host sent,
// the counters as `iptables-save -c`, and a summary.

import { writeFileSync } from 'node:fs';
import { ReferenceEngine } from '../engine/reference/engine.js';
import type { PacketResult } from '../engine/reference/result.js';
import { formatDecision, formatExplanation } from '../explain/format-explanation.js';
import { formatRuleSpec, printIptablesSave } from '../frontend/iptables/printer.js';
import { replayTrace } from '../replay/replay-trace.js';
import { formatTraceProblems, LinkType, openTrace, PcapngWriter } from '../trace/index.js';
import { type ParsedArgs, parseArgs, requireOption, stringOption, UsageError } from './args.js';
import { loadHostFile, loadRulesFile } from './scenario-files.js';

export const REPLAY_USAGE = `nfwasm replay --rules RULES --host HOST.json TRACE.pcapng [options]
  --out FILE.pcapng     write every packet the host sends (after NAT), one interface per egress
                        device, each with a comment naming the rule that let it out
  --counters FILE       write the counters as iptables-save -c ('-' for standard output)
  --json FILE           write a JSON summary (packets, seconds, pps, fates, top rules)
  --iface IF            ingress interface for packets whose capture interface has no name
  --seed N              seed of the run's random choices (default 1)
  --explain N           print the explanation of packet N (1-based) as the engine saw it`;

const SPEC = {
  rules: true,
  host: true,
  out: true,
  counters: true,
  json: true,
  iface: true,
  seed: true,
  explain: true,
};

export function replayCommand(argv: readonly string[], write: (s: string) => void): void {
  const args: ParsedArgs = parseArgs(argv, SPEC);
  const tracePath = args.positionals[0];
  if (!tracePath) throw new UsageError('missing TRACE (a pcap or pcapng file)');
  const ruleset = loadRulesFile(requireOption(args, 'rules'));
  const host = loadHostFile(requireOption(args, 'host'));
  const seed = Number(stringOption(args, 'seed') ?? 1);
  const explainAt =
    stringOption(args, 'explain') === undefined ? undefined : Number(stringOption(args, 'explain'));
  const engine = new ReferenceEngine(ruleset, host, { seed });
  const outPath = stringOption(args, 'out');
  const out = outPath ? PcapngWriter.toFile(outPath) : undefined;
  const reader = openTrace(tracePath);
  let explained: PacketResult | undefined;
  const started = process.hrtime.bigint();
  let summary: ReturnType<typeof replayTrace>;
  try {
    summary = replayTrace(engine, reader, {
      ...(stringOption(args, 'iface') ? { iface: stringOption(args, 'iface')! } : {}),
      trace: false,
      onPacket: (p) => {
        if (p.number === explainAt) explained = p.result;
        for (const e of p.result.emitted) {
          if (out) {
            const ifId = out.interfaceFor(e.oif, e.bytes[0]! >>> 4 === 6 ? LinkType.Ipv6 : LinkType.Ipv4);
            const comment = `${e.cause}${e.decidedBy ? `: ${formatDecision(e.decidedBy)}` : ''}`;
            out.writePacket(ifId, p.timestampNs, e.bytes, { comment, direction: 'outbound' });
          }
        }
      },
    });
  } finally {
    reader.close();
    out?.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
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
  const lines = [
    `${summary.packets} packets in ${seconds.toFixed(3)} s (${(pps / 1e6).toFixed(3)} Mpps, ${((seconds * 1e9) / Math.max(1, summary.packets)).toFixed(0)} ns/packet, reference engine)`,
    `fates: ${Object.entries(summary.fates)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `connections: ${engine.connections().length} in the table at the end`,
  ];
  // Top rules by hits, from the run's counters.
  const counted = engine.rulesetWithCounters();
  const ranked = counted.tables
    .flatMap((t) => t.chains.flatMap((c) => c.rules.map((r) => ({ t: t.name, c: c.name, r }))))
    .filter((x) => x.r.counters.packets > 0n)
    .sort((a, b) => Number(b.r.counters.packets - a.r.counters.packets))
    .slice(0, 5);
  if (ranked.length) {
    lines.push(
      'top rules by hits:',
      ...ranked.map(
        (x) =>
          `  ${String(x.r.counters.packets).padStart(8)}  ${x.t} ${x.r.source.file}:${x.r.source.line}  -A ${x.c}${formatRuleSpec(x.r, counted.family)}`,
      ),
    );
  }
  if (problems.total > 0) lines.push(`trace problems: ${formatTraceProblems(problems)}`);
  write(`${lines.join('\n')}\n`);
  const jsonPath = stringOption(args, 'json');
  if (jsonPath) {
    writeFileSync(
      jsonPath,
      `${JSON.stringify(
        {
          packets: summary.packets,
          seconds,
          pps,
          fates: summary.fates,
          skipped: summary.skipped,
          connections: engine.connections().length,
          traceProblems: problems.total,
        },
        null,
        2,
      )}\n`,
    );
  }
}
