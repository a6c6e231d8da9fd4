// nfwasm gen --rules R --host H -o out.pcapng [--packets N] [--flows F] [--seed S] [--zipf s]
//   [--mix tcp=60,udp=30,icmp=8,invalid=2] [--rate PPS]
// Writes a deterministic trace aimed at the ruleset's rules, streamed to the file.

import { generateTrace } from '../gen/generate-trace.js';
import { DEFAULT_MIX, parseTrafficMix, type TrafficMix } from '../gen/traffic-mix.js';
import { PcapngWriter } from '../trace/index.js';
import { type ParsedArgs, parseArgs, requireOption, stringOption, UsageError } from './args.js';
import { loadHostFile, loadRulesFile } from './scenario-files.js';

export const GEN_USAGE = `nfwasm gen --rules RULES --host HOST.json -o OUT.pcapng [options]
  --packets N      packets to write (default 100000)
  --flows F        concurrent flows, popularity by Zipf rank (default 1000)
  --seed S         seed: the same seed writes the same bytes (default 1)
  --zipf s         Zipf exponent of flow popularity (default 1; 0 is uniform)
  --mix SPEC       flow kinds and weights (default tcp=60,udp=30,icmp=8,invalid=2)
  --rate PPS       packets per second of trace time (default 100000)
Flows are aimed at what the rules match (addresses, ports, interfaces, DNAT'd ports), else at
the host's subnets; both directions arrive on the interfaces the host routes them to, replies
after the host's NAT as far as the rules say (a guess by walking nat PREROUTING/POSTROUTING).`;

const SPEC = {
  rules: true,
  host: true,
  out: true,
  packets: true,
  flows: true,
  seed: true,
  zipf: true,
  mix: true,
  rate: true,
};

function numberOption(args: ParsedArgs, name: string, fallback: number, integer: boolean): number {
  const text = stringOption(args, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${name} needs a ${integer ? 'whole ' : ''}number >= 0, got '${text}'`);
  return n;
}

export function genCommand(argv: readonly string[], write: (s: string) => void): void {
  const args = parseArgs(argv, SPEC, { '-o': 'out' });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const ruleset = loadRulesFile(requireOption(args, 'rules'));
  const host = loadHostFile(requireOption(args, 'host'));
  const out = requireOption(args, 'out');
  let mix: TrafficMix = DEFAULT_MIX;
  const mixText = stringOption(args, 'mix');
  if (mixText !== undefined) {
    try {
      mix = parseTrafficMix(mixText);
    } catch (e) {
      throw new UsageError(`--mix: ${(e as Error).message}`);
    }
  }
  const flows = numberOption(args, 'flows', 1000, true);
  if (flows < 1) throw new UsageError('--flows must be at least 1');
  const rate = numberOption(args, 'rate', 100_000, false);
  if (rate <= 0) throw new UsageError('--rate must be above 0');
  const writer = PcapngWriter.toFile(out, { application: 'nfwasm gen' });
  const started = process.hrtime.bigint();
  let summary: ReturnType<typeof generateTrace>;
  try {
    summary = generateTrace(writer, {
      ruleset,
      host,
      packets: numberOption(args, 'packets', 100_000, true),
      flows,
      seed: numberOption(args, 'seed', 1, true),
      zipf: numberOption(args, 'zipf', 1, false),
      mix,
      rate,
    });
  } finally {
    // A file sink closes synchronously: the promise is already settled.
    void writer.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const scripts = Object.entries(summary.byScript)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  write(
    `${summary.packets} packets, ${summary.flowsStarted} flows (${scripts}) from ${summary.hints} rule hints to ${out} in ${seconds.toFixed(2)} s (${(summary.packets / Math.max(seconds, 1e-9) / 1e6).toFixed(2)} Mpps)\n`,
  );
}
