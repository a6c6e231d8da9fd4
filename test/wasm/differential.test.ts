// The WebAssembly classifier (build/*.wasm) against the compiled-table interpreter: the
// iptables-save corpus, random rulesets (the compiler tests' generator) and kube-proxy rulesets.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKubeProxyDump } from '../../bench/generate/kube-proxy.js';
import { NfwasmError } from '../../src/errors.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import type { Ruleset } from '../../src/ir/ruleset.js';
import { rule, rulesetText } from '../compiler/random-rulesets.js';
import { CORPUS, iptablesCorpusFiles } from '../kernel/corpus-files.js';
import { emptyStats, wasmDifferential } from './wasm-differential.js';

function summary(name: string, s: ReturnType<typeof emptyStats>): string {
  return `${name}: ${s.packets} packets, ${s.decided} decided in wasm, ${s.undecidedRule} undecided at a rule, ${s.undecidedPacket} undecided packets, ${s.memoHits} answered from the walk memo, ${s.divergences.length} divergences`;
}

const files = iptablesCorpusFiles();

describe('the WebAssembly classifier agrees with the table interpreter', () => {
  it.skipIf(files.length === 0)('corpus rulesets', () => {
    const stats = emptyStats();
    let n = 0;
    for (const [i, f] of files.entries()) {
      let ruleset: Ruleset;
      try {
        ruleset = parseIptablesSave(readFileSync(join(CORPUS, f.path), 'utf8'), {
          file: f.path,
          family: f.family,
        });
      } catch {
        continue;
      }
      n++;
      const before = stats.divergences.length;
      wasmDifferential(ruleset, 60, i + 1, stats);
      for (let d = before; d < stats.divergences.length; d++)
        stats.divergences[d] = `${f.path}: ${stats.divergences[d]}`;
    }
    console.log(summary(`wasm corpus differential (${n} rulesets)`, stats));
    expect(stats.divergences.slice(0, 5)).toEqual([]);
    expect(stats.decided).toBeGreaterThan(stats.packets * 0.5);
  });

  it('random rulesets and packets (release and debug builds)', () => {
    const stats = emptyStats();
    fc.assert(
      fc.property(
        fc.array(fc.array(rule, { maxLength: 8 }), { minLength: 6, maxLength: 6 }),
        fc.nat(1),
        fc.constantFrom(0, 0, 10),
        fc.nat(1000),
        (chains, policy, run, seed) => {
          const text = rulesetText(chains, policy, run);
          let ruleset: Ruleset;
          try {
            ruleset = parseIptablesSave(text, { file: 'random.v4', family: 'ipv4' });
          } catch (e) {
            if (!(e instanceof NfwasmError)) throw e;
            return;
          }
          const before = stats.divergences.length;
          wasmDifferential(ruleset, 40, seed, stats, seed % 2 ? 'debug' : 'release');
          if (stats.divergences.length > before) throw new Error(`${stats.divergences[before]}\n${text}`);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
    console.log(summary('wasm random differential', stats));
    expect(stats.divergences).toEqual([]);
    // Chains that read few fields see the same key again: the memo's replays are compared too.
    expect(stats.memoHits).toBeGreaterThan(stats.packets * 0.05);
  });

  it('kube-proxy rulesets (indexed chains)', () => {
    const stats = emptyStats();
    for (const seed of [1, 2, 3]) {
      for (const simple of [false, true]) {
        const dump = generateKubeProxyDump({ services: 60, seed, simple });
        const r = parseIptablesSave(dump.text, { file: 'kube-proxy.v4', family: 'ipv4' });
        wasmDifferential(r, 400, seed, stats);
      }
    }
    console.log(summary('wasm kube-proxy differential', stats));
    expect(stats.divergences.slice(0, 3)).toEqual([]);
    expect(stats.decided).toBeGreaterThan(0);
    expect(stats.memoHits).toBeGreaterThan(0);
  });
});
