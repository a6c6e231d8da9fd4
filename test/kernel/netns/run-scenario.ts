// Runs a scenario through the real kernel and reports what it did (KernelResult):
//   npx tsx test/kernel/netns/run-scenario.ts DIR [--gaps] [--keep] > result.json
// builds the host in namespaces (build-host.ts), loads the ruleset with iptables-legacy-restore,
// starts the host's listeners/proxies, replays the trace on its ingress interfaces, then reads the
// counters, the conntrack table and the frames the host emitted. --keep leaves the namespaces
// in place for inspection (their names go to stderr).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BuiltHost, buildHost } from './build-host.js';
import { decodeFrame, isLinkControl, summarizeFrame } from './frame.js';
import type { EmittedPacket, KernelResult, TableCounters } from './kernel-result.js';
import { startLocalServices } from './local-services.js';
import { parseConntrackXml } from './read-conntrack.js';
import { parseSaveCounters } from './read-counters.js';
import { readSnmp, readSysctls } from './read-host-state.js';
import { replay } from './replay.js';
import { loadScenario, type ReplaySettings, type Scenario } from './scenario.js';
import { inNs, run, tryRun } from './sh.js';
import { readTrace } from './trace-io.js';

export interface RunOptions extends ReplaySettings {
  /** Leave the namespaces behind (for debugging); the caller must dispose of them. */
  readonly keep?: boolean;
  /** Called with the built host before the replay (tests inspect or tweak it). */
  readonly onBuilt?: (host: BuiltHost) => void;
}

function loadRules(ns: string, family: 'ipv4' | 'ipv6', text: string): void {
  const bin = family === 'ipv4' ? 'iptables-legacy-restore' : 'ip6tables-legacy-restore';
  const r = tryRun(inNs(ns, [bin]), text);
  if (r.status !== 0) throw new Error(`${bin} refused the scenario's rules: ${r.stderr.trim()}`);
}

function readCounters(ns: string, family: 'ipv4' | 'ipv6'): TableCounters[] {
  return parseSaveCounters(
    run(inNs(ns, [family === 'ipv4' ? 'iptables-legacy-save' : 'ip6tables-legacy-save', '-c'])),
  );
}

export async function runScenario(
  scenarioOrDir: Scenario | string,
  options: RunOptions = {},
): Promise<KernelResult> {
  const scenario = typeof scenarioOrDir === 'string' ? loadScenario(scenarioOrDir) : scenarioOrDir;
  const settings = { ...scenario.settings, ...options };
  const trace = await readTrace(scenario.tracePath);
  const rules = `${scenario.rules4 ?? ''}\n${scenario.rules6 ?? ''}`;
  const host = buildHost(scenario.host, { trace, rules });
  let services: { stop(): void } | undefined;
  try {
    if (scenario.rules4 !== undefined) loadRules(host.hostNs, 'ipv4', scenario.rules4);
    if (scenario.rules6 !== undefined) loadRules(host.hostNs, 'ipv6', scenario.rules6);
    options.onBuilt?.(host);
    services = await startLocalServices(host.hostNs, scenario.host);
    const out = await replay(host, trace, {
      gaps: settings.gaps ?? false,
      spacingMs: settings.spacingMs ?? 2,
      settleMs: settings.settleMs ?? 200,
    });
    services.stop();

    const emitted: Record<string, EmittedPacket[]> = {};
    const linkControl: Record<string, EmittedPacket[]> = {};
    for (const name of host.peers.keys()) [emitted[name], linkControl[name]] = [[], []];
    out.captured.forEach((c, seq) => {
      const f = decodeFrame(Buffer.from(c.hex, 'hex'));
      (isLinkControl(f) ? linkControl : emitted)[c.peer]!.push({
        seq,
        at: c.at,
        hex: c.hex,
        summary: summarizeFrame(f),
      });
    });
    const conntrack = [
      ...parseConntrackXml(run(inNs(host.hostNs, ['conntrack', '-L', '-f', 'ipv4', '-o', 'xml']))),
      ...(host.ipv6
        ? parseConntrackXml(run(inNs(host.hostNs, ['conntrack', '-L', '-f', 'ipv6', '-o', 'xml'])))
        : []),
    ];
    const bridgePorts: Record<string, string> = {};
    for (const [b, ports] of host.layout.ports) for (const p of ports) bridgePorts[p] = b;
    return {
      format: 'nfwasm-kernel-result/1',
      scenario: scenario.name,
      kernel: run(['uname', '-r']).trim(),
      injected: trace.map((p, i) => ({
        index: p.index,
        ifName: p.ifName,
        via: out.sent[i]!.via,
        at: out.sent[i]!.at,
        summary: summarizeFrame(decodeFrame(p.bytes)),
      })),
      counters: {
        ...(scenario.rules4 !== undefined ? { ipv4: readCounters(host.hostNs, 'ipv4') } : {}),
        ...(scenario.rules6 !== undefined ? { ipv6: readCounters(host.hostNs, 'ipv6') } : {}),
      },
      conntrack,
      emitted,
      linkControl,
      bridgePorts,
      sysctl: readSysctls(host.hostNs),
      snmp: readSnmp(host.hostNs),
      warnings: host.warnings,
    };
  } finally {
    services?.stop();
    if (options.keep) console.error(`kept namespaces: ${host.hostNs} and ${host.hostNs}-p*`);
    else host.dispose();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  if (!dir) {
    console.error(
      readFileSync(import.meta.filename, 'utf8')
        .split('\n')
        .slice(0, 7)
        .join('\n'),
    );
    process.exit(2);
  }
  const result = await runScenario(dir, {
    ...(args.includes('--gaps') ? { gaps: true } : {}),
    keep: args.includes('--keep'),
  });
  console.log(JSON.stringify(result, null, 2));
}
