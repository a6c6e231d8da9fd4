// The reference engine on a scenario's three files: the same inputs the kernel harness uses.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReferenceEngine } from '../../src/engine/reference/engine.js';
import type { PacketResult } from '../../src/engine/reference/result.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { parseHostFile } from '../../src/host/index.js';
import type { Ruleset } from '../../src/ir/ruleset.js';
import { replayTrace } from '../../src/replay/replay-trace.js';
import { openTrace } from '../../src/trace/index.js';

export interface EngineRun {
  readonly engine: ReferenceEngine;
  readonly ruleset: Ruleset;
  readonly results: readonly PacketResult[];
}

export function runEngineOnScenario(dir: string, options: { trace?: boolean } = {}): EngineRun {
  const rules = readFileSync(join(dir, 'rules.v4'), 'utf8');
  const ruleset = parseIptablesSave(rules, { file: 'rules.v4', family: 'ipv4' });
  const host = parseHostFile(readFileSync(join(dir, 'host.json'), 'utf8'), { file: 'host.json' });
  const engine = new ReferenceEngine(ruleset, host, { seed: 1 });
  const results: PacketResult[] = [];
  const reader = openTrace(join(dir, 'trace.pcapng'));
  try {
    replayTrace(engine, reader, { trace: options.trace ?? false, onPacket: (p) => results.push(p.result) });
  } finally {
    reader.close();
  }
  return { engine, ruleset, results };
}
