// ClassBench filter sets from the shared corpus as rulesets for the differential tests: the sets
// as read, and a variant where every 7th rule jumps to a user chain (itself ClassBench rules
// ending in RETURN), so split-tree indexes are walked across jumps and returns into the middle
// of an indexed chain.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filtersToRuleset, parseFilters } from '../../src/frontend/classbench/index.js';
import type { Rule, Ruleset } from '../../src/ir/ruleset.js';
import { CORPUS } from '../kernel/corpus-files.js';

export const CLASSBENCH_DIR = join(CORPUS, 'rulesets/classbench/neurocuts_filters');

export function classBenchRuleset(name: string, limit = Number.POSITIVE_INFINITY): Ruleset | null {
  const file = join(CLASSBENCH_DIR, name);
  if (!existsSync(file)) return null;
  const filters = parseFilters(readFileSync(file, 'utf8'), name).slice(0, limit);
  return filtersToRuleset(filters, { file: name });
}

export function withJumps(r: Ruleset): Ruleset {
  const table = r.tables[0]!;
  const main = table.chains[0]!;
  const rules: Rule[] = main.rules.map((x, i) =>
    i % 7 === 3 ? { ...x, target: { kind: 'jump', chain: 'SUB' } } : x,
  );
  const sub: Rule[] = [
    ...main.rules
      .slice(0, 40)
      .map((x, i) => (i % 5 === 0 ? { ...x, target: { kind: 'RETURN' as const } } : x)),
    { ...main.rules[0]!, matches: [], target: { kind: 'RETURN' } },
  ];
  return {
    ...r,
    tables: [
      {
        ...table,
        chains: [
          { ...main, rules },
          { name: 'SUB', base: null, counters: main.counters, rules: sub, source: null },
        ],
      },
    ],
  };
}

/**
 * The set's first rules as a user chain SUB of rules that only count (no target), entered twice
 * per traversal from a base chain too short for an index of its own: SUB's split tree is looked
 * up again from its first rule after the walk went past later ones.
 */
export function withReentry(r: Ruleset, subRules = 60): Ruleset {
  const table = r.tables[0]!;
  const main = table.chains[0]!;
  const sub: Rule[] = main.rules.slice(0, subRules).map((x) => ({ ...x, target: null }));
  const jump: Rule = { ...main.rules[0]!, matches: [], target: { kind: 'jump', chain: 'SUB' } };
  return {
    ...r,
    tables: [
      {
        ...table,
        chains: [
          { ...main, rules: [jump, { ...jump }, ...main.rules.slice(subRules, subRules + 6)] },
          { name: 'SUB', base: null, counters: main.counters, rules: sub, source: null },
        ],
      },
    ],
  };
}

/**
 * Every third rule with its source (or, wanting one, destination) test inverted: boxes that do
 * not describe their rules exactly, among exact ones, in the same split trees.
 */
export function withInversions(r: Ruleset): Ruleset {
  const table = r.tables[0]!;
  const main = table.chains[0]!;
  const rules: Rule[] = main.rules.map((x, i) => {
    if (i % 3 !== 1) return x;
    const at = x.matches.findIndex((m) => m.kind === 'source' || m.kind === 'destination');
    if (at < 0) return x;
    const m = x.matches[at]!;
    return { ...x, matches: x.matches.map((y, k) => (k === at ? ({ ...m, invert: true } as typeof m) : y)) };
  });
  return { ...r, tables: [{ ...table, chains: [{ ...main, rules }] }] };
}
