// Which kernel scenarios (test/fixtures/scenarios) and bundled examples the WebAssembly engine
// runs entirely, and for the others the first packet it does not take and why.
//
//   npx tsx bench/wasm-coverage.ts [--verbose]

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WasmEngine } from '../src/engine/wasm/engine.js';
import { loadRuleset } from '../src/frontend/load-ruleset.js';
import { parseHostFile } from '../src/host/index.js';
import { replayTraceWasm, WasmReplayUnsupported } from '../src/replay/replay-trace-wasm.js';
import { traceFromBytes } from '../src/trace/index.js';

const ROOT = join(import.meta.dirname, '..');
const verbose = process.argv.includes('--verbose');

/** The first packet the WebAssembly engine refuses in the directory's trace, or null. */
function refusal(dir: string, trace: string): string | null {
  const rulesPath = join(dir, 'rules.v4');
  const hostPath = join(dir, 'host.json');
  const ruleset = loadRuleset(readFileSync(rulesPath, 'utf8'), { file: rulesPath }).ruleset;
  const host = parseHostFile(readFileSync(hostPath, 'utf8'), { file: hostPath });
  try {
    const engine = new WasmEngine(ruleset, host, { seed: 7 });
    replayTraceWasm(engine, traceFromBytes(new Uint8Array(readFileSync(join(dir, trace)))));
    return null;
  } catch (e) {
    if (e instanceof WasmReplayUnsupported) return e.message;
    if (e instanceof Error && e.name === 'WasmPathUnsupported') return e.message;
    throw e;
  }
}

const scenarios = join(ROOT, 'test/fixtures/scenarios');
const runs: { name: string; why: string | null }[] = [];
for (const name of readdirSync(scenarios).sort())
  if (existsSync(join(scenarios, name, 'trace.pcapng')))
    runs.push({ name, why: refusal(join(scenarios, name), 'trace.pcapng') });
const bridged = new Set(
  runs
    .filter(({ name }) => {
      const host = JSON.parse(readFileSync(join(scenarios, name, 'host.json'), 'utf8'));
      return host.bridges !== undefined || JSON.stringify(host.addr ?? []).includes('"master"');
    })
    .map((r) => r.name),
);
const whole = runs.filter((r) => r.why === null);
console.log(`kernel scenarios run entirely in WebAssembly: ${whole.length} of ${runs.length}`);
console.log(
  `  with bridge ports in the host: ${whole.filter((r) => bridged.has(r.name)).length} of ${bridged.size}`,
);
const reasons = new Map<string, string[]>();
for (const r of runs)
  if (r.why !== null) {
    const why = r.why.replace(/^packet \d+: /, '');
    reasons.set(why, [...(reasons.get(why) ?? []), r.name]);
  }
for (const [why, names] of [...reasons].sort((a, b) => b[1].length - a[1].length))
  console.log(`  ${names.length} refused: ${why}${verbose ? `\n      ${names.join(' ')}` : ''}`);
const example = refusal(join(ROOT, 'examples/docker-host'), 'trace.pcapng');
console.log(`examples/docker-host: ${example === null ? 'entirely in WebAssembly' : example}`);
