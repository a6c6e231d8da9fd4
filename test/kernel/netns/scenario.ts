// A scenario directory: rules.v4 and/or rules.v6 (iptables-save), host.json, trace.pcapng and an
// optional scenario.json of replay settings.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type HostSpec, readHostSpec } from './host-spec.js';

export interface ReplaySettings {
  /** Honour the trace's inter-packet gaps (needed when timeouts must expire mid-trace). */
  readonly gaps?: boolean;
  /** Without gaps: milliseconds between packets, so local sockets and softirqs keep up. Default 2. */
  readonly spacingMs?: number;
  /** Milliseconds to keep capturing after the last packet. Default 200. */
  readonly settleMs?: number;
  readonly description?: string;
}

export interface Scenario {
  readonly name: string;
  readonly dir: string;
  readonly rules4?: string;
  readonly rules6?: string;
  readonly host: HostSpec;
  readonly tracePath: string;
  readonly settings: ReplaySettings;
}

export function loadScenario(dir: string): Scenario {
  const opt = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined);
  const rules4 = opt('rules.v4');
  const rules6 = opt('rules.v6');
  if (rules4 === undefined && rules6 === undefined) throw new Error(`${dir}: no rules.v4 or rules.v6`);
  const tracePath = join(dir, 'trace.pcapng');
  if (!existsSync(tracePath)) throw new Error(`${dir}: no trace.pcapng`);
  const settingsText = opt('scenario.json');
  return {
    name: basename(dir),
    dir,
    ...(rules4 !== undefined ? { rules4 } : {}),
    ...(rules6 !== undefined ? { rules6 } : {}),
    host: readHostSpec(join(dir, 'host.json')),
    tracePath,
    settings: settingsText ? (JSON.parse(settingsText) as ReplaySettings) : {},
  };
}
