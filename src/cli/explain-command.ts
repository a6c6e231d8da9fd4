// nfwasm explain --rules R --host H 'tcp 198.51.100.7:40000 > 203.0.113.1:80 iif eth0 flags S'
// nfwasm explain --rules R --host H --trace T (--packet N | --flow N) [--verbose]
// Every hook, table, chain and rule a packet touched, with the rules' file:line and text, what
// conntrack and NAT did, where routing sent it, and why.

import { ReferenceEngine } from '../engine/reference/engine.js';
import type { PacketResult } from '../engine/reference/result.js';
import { formatExplanation } from '../explain/format-explanation.js';
import { insights } from '../explain/insights.js';
import type { Host } from '../host/index.js';
import type { Ruleset } from '../ir/ruleset.js';
import { replayTrace } from '../replay/replay-trace.js';
import { openTrace } from '../trace/index.js';
import { parsePacketSpec } from '../wire/packet-text.js';
import { parseArgs, requireOption, stringOption, UsageError } from './args.js';
import { loadHostFile, loadRulesFile } from './scenario-files.js';

export const EXPLAIN_USAGE = `nfwasm explain --rules RULES --host HOST.json PACKET [--verbose]
nfwasm explain --rules RULES --host HOST.json --trace TRACE (--packet N | --flow N) [--verbose]
  PACKET        e.g. 'tcp 198.51.100.7:40000 > 203.0.113.1:80 iif eth0 flags S',
                'udp 10.0.0.2:5353 > 10.0.0.1:53 iif eth1', 'icmp 10.0.0.2 > 10.0.0.1 echo-request iif eth1'
  --packet N    explain packet N (1-based) of the trace, with the connections of the packets before it
  --flow N      explain every packet of packet N's connection, in order
  --verbose     also list the rules that were tried and did not match`;

const SPEC = { rules: true, host: true, trace: true, packet: true, flow: true, verbose: false, seed: true };

function explainOne(r: PacketResult, ruleset: Ruleset, host: Host, verbose: boolean): string {
  const text = formatExplanation(r, { family: ruleset.family, verbose });
  const why = insights(r, ruleset, host);
  return why.length ? `${text}\nwhy:\n${why.map((w) => `  - ${w}`).join('\n')}\n` : text;
}

export function explainCommand(argv: readonly string[], write: (s: string) => void): void {
  const args = parseArgs(argv, SPEC);
  const ruleset = loadRulesFile(requireOption(args, 'rules'));
  const host = loadHostFile(requireOption(args, 'host'));
  const verbose = args.options.has('verbose');
  const seed = Number(stringOption(args, 'seed') ?? 1);
  const engine = new ReferenceEngine(ruleset, host, { seed });
  const tracePath = stringOption(args, 'trace');
  if (!tracePath) {
    const spec = args.positionals.join(' ');
    if (!spec)
      throw new UsageError(
        'give a packet, e.g. "tcp 198.51.100.7:40000 > 203.0.113.1:80 iif eth0 flags S", or --trace',
      );
    const p = parsePacketSpec(spec);
    if ('error' in p) throw new UsageError(`packet: ${p.error}`);
    if (!p.iif) throw new UsageError('packet: say which interface it arrives on: add "iif IFNAME"');
    const r = engine.process(
      { bytes: p.bytes, linkType: p.linkType, iif: p.iif, timestampNs: 0n },
      { trace: true },
    );
    write(explainOne(r, ruleset, host, verbose));
    return;
  }
  const flowAt = stringOption(args, 'flow');
  const packetAt = stringOption(args, 'packet');
  const n = Number(flowAt ?? packetAt);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError('--packet N or --flow N (a packet number from 1) is required with --trace');
  // Tracing is on for every packet so a flow's later packets can be picked after the fact.
  const all: { number: number; result: PacketResult }[] = [];
  const reader = openTrace(tracePath);
  try {
    replayTrace(engine, reader, {
      trace: true,
      onPacket: (p) => all.push({ number: p.number, result: p.result }),
    });
  } finally {
    reader.close();
  }
  const target = all.find((p) => p.number === n);
  if (!target) throw new UsageError(`the trace has ${all.length} packets; there is no packet ${n}`);
  const flowKey = target.result.conntrack?.entry;
  const chosen =
    flowAt !== undefined && flowKey
      ? all.filter((p) => p.number >= n && p.result.conntrack?.entry === flowKey)
      : [target];
  write(
    chosen.map((p) => `── packet ${p.number} ──\n${explainOne(p.result, ruleset, host, verbose)}`).join('\n'),
  );
}
