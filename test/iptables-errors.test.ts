// The error messages for bad iptables-save files and bad iptables scripts
// (test/fixtures/errors/*.rules and *.sh), kept in one golden file: each must name
// file:line:column and say what was expected. Where the real iptables can judge the same input,
// it must refuse it too, on the same line.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NfwasmError } from '../src/errors.js';
import { parseIptablesSave } from '../src/frontend/iptables/restore-parser.js';
import { parseIptablesScript } from '../src/frontend/iptables/script.js';
import type { Family } from '../src/ir/address.js';
import { expectGolden } from './golden.js';
import { kernelOracleAvailable, kernelRoundTrip } from './kernel/iptables-oracle.js';
import { kernelRunScript } from './kernel/script-oracle.js';

const DIR = join(import.meta.dirname, 'fixtures/errors');
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.rules') || f.endsWith('.sh'))
  .sort();
const kernel = kernelOracleAvailable();
if (!kernel)
  console.warn(
    'iptables errors: kernel oracle unavailable (needs root, unshare, iptables-legacy): kernel comparison skipped',
  );

/** Cases only a shell judges (bash would run them): nfwasm refuses them on purpose. */
const NOT_IPTABLES = new Set([
  'script-echo.sh',
  'script-iptables-save-redirect.sh',
  'script-variable.sh',
  'script-variable-quoted.sh',
  'script-set-e.sh',
  'script-docker-run.sh',
  'script-sudo-option.sh',
  'script-unterminated-quote.sh',
]);

/** Refused only by `iptables-restore -c` (nfwasm always reads counters); plain restore ignores them. */
const ONLY_WITH_COUNTERS = new Set(['save-policy-counters-malformed.rules']);

/** The physical lines of the command starting at `line` (continuations included). */
function commandLines(text: string, line: number): [number, number] {
  const lines = text.split('\n');
  let last = line;
  while (last <= lines.length && /\\$/.test(lines[last - 1] ?? '')) last++;
  return [line, last];
}

const familyOf = (name: string): Family => (/-6\.\w+$/.test(name) ? 'ipv6' : 'ipv4');

function parse(name: string, text: string): NfwasmError | undefined {
  try {
    if (name.endsWith('.sh')) parseIptablesScript(text, { file: name, family: familyOf(name) });
    else parseIptablesSave(text, { file: name, family: familyOf(name) });
    return undefined;
  } catch (e) {
    if (e instanceof NfwasmError) return e;
    throw new Error(`${name}: crashed: ${(e as Error).stack}`);
  }
}

const results = cases.map((name) => {
  const text = readFileSync(join(DIR, name), 'utf8');
  return { name, text, error: parse(name, text) };
});

describe('iptables input errors', () => {
  it('has ~30 or more cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it('refuses every case with a positioned message (golden)', () => {
    const out = results.map(
      (r) => `${r.name}\n  ${r.error ? r.error.message : 'ACCEPTED (expected an error)'}\n`,
    );
    expectGolden('iptables-errors.txt', out.join(''));
    for (const r of results) {
      expect(r.error, r.name).toBeDefined();
      expect(r.error!.message.startsWith(`${r.name}:${r.error!.position.line}`), r.name).toBe(true);
    }
  });

  describe.skipIf(!kernel)('the kernel refuses them too, on the same line', () => {
    for (const r of results.filter((x) => !NOT_IPTABLES.has(x.name) && !ONLY_WITH_COUNTERS.has(x.name))) {
      it(r.name, () => {
        const k = r.name.endsWith('.sh')
          ? kernelRunScript(familyOf(r.name), r.text)
          : kernelRoundTrip(familyOf(r.name), r.text);
        expect(k.ok, `kernel accepts ${r.name}`).toBe(false);
        if (k.ok || !r.error) return;
        if (k.line === undefined) return;
        // Missing COMMIT: iptables-restore only notices at the end of the file.
        if (r.name.includes('missing-commit')) return;
        if (r.error.detail.includes('the kernel refuses the table at COMMIT')) {
          // The kernel names only the COMMIT line; nfwasm names the rule it refuses.
          expect(r.text.split('\n')[k.line - 1], `kernel: ${k.error}`).toBe('COMMIT');
          return;
        }
        const [first, last] = commandLines(r.text, k.line);
        const at = r.error.position.line;
        expect(
          at >= first && at <= last,
          `kernel: line ${k.line}: ${k.error}; nfwasm: ${r.error.message}`,
        ).toBe(true);
      });
    }
  });
});
