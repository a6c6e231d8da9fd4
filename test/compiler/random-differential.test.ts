// Differential test on random rulesets (fast-check): chains of rules built from match and target
// snippets the front end accepts, runs of kube-proxy-like exact rules so indexes are built, and
// random packets through every base chain; the reference walk and the compiled-table
// interpreter (with and without indexes) must agree on everything.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKubeProxyDump } from '../../bench/generate/kube-proxy.js';
import { compile } from '../../src/compiler/compile.js';
import { Section } from '../../src/compiler/format.js';
import { NfwasmError } from '../../src/errors.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { type DiffStats, differential } from './differential.js';
import { rule, rulesetText } from './random-rulesets.js';

describe('compiled tables agree with the reference walk on random rulesets', () => {
  it('random rules and packets', () => {
    const stats: DiffStats = { packets: 0, compared: 0, unsupported: 0, skipped: 0, divergences: [] };
    let rulesets = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.array(fc.array(rule, { maxLength: 8 }), { minLength: 6, maxLength: 6 }),
        fc.nat(1),
        fc.constantFrom(0, 0, 10),
        fc.nat(1000),
        (chains, policy, run, seed) => {
          const text = rulesetText(chains, policy, run);
          let ruleset: ReturnType<typeof parseIptablesSave>;
          try {
            ruleset = parseIptablesSave(text, { file: 'random.v4', family: 'ipv4' });
          } catch (e) {
            // Rules the kernel refuses (owner outside OUTPUT, mac in OUTPUT, ...) are not tables.
            if (!(e instanceof NfwasmError)) throw e;
            refused++;
            return;
          }
          rulesets++;
          const before = stats.divergences.length;
          differential(ruleset, 40, seed, stats);
          if (stats.divergences.length > before) throw new Error(`${stats.divergences[before]}\n${text}`);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
    console.log(
      `random differential: ${rulesets} rulesets (${refused} refused by the front end), ${stats.packets} packets, ${stats.compared} compared, ${stats.unsupported} refused as unsupported (${stats.skipped} skipped after), ${stats.divergences.length} divergences`,
    );
    expect(stats.divergences).toEqual([]);
  });

  it('kube-proxy rulesets, where KUBE-SERVICES and KUBE-NODEPORTS are indexed', () => {
    const stats: DiffStats = { packets: 0, compared: 0, unsupported: 0, skipped: 0, divergences: [] };
    for (const seed of [1, 2, 3]) {
      const dump = generateKubeProxyDump({ services: 60, seed });
      const r = parseIptablesSave(dump.text, { file: 'kube-proxy.v4', family: 'ipv4' });
      expect(compile(r).sections[Section.INDEXES][0]).toBeGreaterThan(0);
      differential(r, 400, seed, stats);
    }
    console.log(
      `kube-proxy differential: ${stats.packets} packets, ${stats.compared} compared, ${stats.divergences.length} divergences`,
    );
    expect(stats.divergences.slice(0, 3)).toEqual([]);
  });
});
