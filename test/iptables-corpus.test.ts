// Acceptance for the iptables front end on every iptables-save file in ../shared/corpus: each
// one either prints back byte-identical to what the kernel's iptables-save prints after
// iptables-restore of the same file, or is refused, exactly when the kernel refuses it. The
// refused files and nfwasm's reasons are a golden file.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NfwasmError } from '../src/errors.js';
import { printIptablesSave } from '../src/frontend/iptables/printer.js';
import { parseIptablesSave } from '../src/frontend/iptables/restore-parser.js';
import { expectGolden } from './golden.js';
import { CORPUS, iptablesCorpusFiles } from './kernel/corpus-files.js';
import { kernelOracleAvailable, kernelRoundTrip } from './kernel/iptables-oracle.js';

const files = iptablesCorpusFiles();
const kernel = kernelOracleAvailable();
if (!kernel)
  console.warn(
    'iptables corpus: kernel oracle unavailable (needs root, unshare, iptables-legacy): kernel comparison skipped',
  );

function firstDifference(a: string, b: string): string {
  const al = a.split('\n');
  const bl = b.split('\n');
  for (let i = 0; i < Math.max(al.length, bl.length); i++) {
    if (al[i] !== bl[i])
      return `line ${i + 1}:\n  kernel: ${al[i] ?? '<end>'}\n  nfwasm: ${bl[i] ?? '<end>'}`;
  }
  return '';
}

describe.skipIf(files.length === 0)('iptables-save corpus', () => {
  const results = files.map((f) => {
    const text = readFileSync(join(CORPUS, f.path), 'utf8');
    try {
      const ruleset = parseIptablesSave(text, { file: f.path, family: f.family });
      return { file: f, text, printed: printIptablesSave(ruleset, { counters: true }), error: undefined };
    } catch (e) {
      if (!(e instanceof NfwasmError)) throw new Error(`${f.path}: crashed: ${(e as Error).stack}`);
      return { file: f, text, printed: undefined, error: e };
    }
  });

  it('lists the files nfwasm refuses, with its reasons (golden)', () => {
    const refused = results.filter((r) => r.error).map((r) => `${r.error!.message}\n`);
    expectGolden('iptables-corpus-refused.txt', refused.join(''));
  });

  it.skipIf(!kernel)('agrees with the kernel on every file', () => {
    const divergent: string[] = [];
    for (const r of results) {
      const k = kernelRoundTrip(r.file.family, r.text);
      if (k.ok && r.error)
        divergent.push(`${r.file.path}: kernel accepts, nfwasm refuses: ${r.error.detail}`);
      else if (!k.ok && !r.error)
        divergent.push(`${r.file.path}: kernel refuses (${k.error}), nfwasm accepts`);
      else if (k.ok && r.printed !== undefined) {
        const ours = k.countersRestored ? r.printed : r.printed.replace(/\[\d+:\d+\]/g, '[0:0]');
        if (ours !== k.output)
          divergent.push(`${r.file.path}: differs at ${firstDifference(k.output, ours)}`);
      }
    }
    const known = new Set(
      readFileSync(join(import.meta.dirname, 'golden/iptables-corpus-known-gaps.txt'), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#')),
    );
    const unexpected = divergent.filter((d) => !known.has(d.slice(0, d.indexOf(': '))));
    const fixed = [...known].filter((p) => !divergent.some((d) => d.startsWith(`${p}: `)));
    expect(unexpected, `${unexpected.length} files diverge from the kernel`).toEqual([]);
    expect(fixed, 'files in iptables-corpus-known-gaps.txt that now agree: remove them').toEqual([]);
  });
});
