// Differential test of the lowering on the iptables-save corpus: every file that parses, random
// packets through every base chain, reference walk vs. compiled-table interpreter (with and
// without classification indexes).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import type { Ruleset } from '../../src/ir/ruleset.js';
import { CORPUS, iptablesCorpusFiles } from '../kernel/corpus-files.js';
import { type DiffStats, differential } from './differential.js';

const files = iptablesCorpusFiles();

function parsed(): { path: string; ruleset: Ruleset }[] {
  const out: { path: string; ruleset: Ruleset }[] = [];
  for (const f of files) {
    try {
      const text = readFileSync(join(CORPUS, f.path), 'utf8');
      out.push({ path: f.path, ruleset: parseIptablesSave(text, { file: f.path, family: f.family }) });
    } catch {
      // Refused files are the front end's business (test/iptables-corpus.test.ts).
    }
  }
  return out;
}

describe.skipIf(files.length === 0)('compiled tables agree with the reference walk on the corpus', () => {
  it('every parsed ruleset, random packets through every base chain', () => {
    const rulesets = parsed();
    const stats: DiffStats = { packets: 0, compared: 0, unsupported: 0, skipped: 0, divergences: [] };
    for (const [i, { path, ruleset }] of rulesets.entries()) {
      const before = stats.divergences.length;
      differential(ruleset, 60, i + 1, stats);
      for (let d = before; d < stats.divergences.length; d++)
        stats.divergences[d] = `${path}: ${stats.divergences[d]}`;
    }
    console.log(
      `corpus differential: ${rulesets.length} rulesets, ${stats.packets} packets, ${stats.compared} compared, ${stats.unsupported} refused as unsupported (${stats.skipped} skipped after), ${stats.divergences.length} divergences`,
    );
    expect(stats.divergences.slice(0, 5)).toEqual([]);
    expect(stats.compared).toBeGreaterThan(stats.packets * 0.8);
  });
});
