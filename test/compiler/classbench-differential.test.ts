// ClassBench sets (acl1, fw1, ipc1; split-tree indexed): the reference walk and the compiled-table
// interpreter, with and without indexes, agree on every packet.

import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { INDEX, IndexKind, RECORD_WORDS, Section } from '../../src/compiler/format.js';
import { classBenchRuleset, withJumps, withReentry } from './classbench-rulesets.js';
import { type DiffStats, differential } from './differential.js';

const SETS = ['acl1_1k', 'fw1_1k', 'ipc1_1k'];

describe('compiled tables agree with the reference walk on ClassBench sets', () => {
  const present = SETS.filter((s) => classBenchRuleset(s, 1) !== null);
  it.skipIf(present.length === 0)(
    'acl1, fw1, ipc1 (1k), also with jumps into a user chain and re-entering one',
    () => {
      const stats: DiffStats = { packets: 0, compared: 0, unsupported: 0, skipped: 0, divergences: [] };
      let trees = 0;
      for (const [i, name] of present.entries()) {
        const r = classBenchRuleset(name)!;
        for (const ruleset of [r, withJumps(r), withReentry(r)]) {
          const idx = compile(ruleset).sections[Section.INDEXES];
          for (let k = 0; k < idx[0]!; k++)
            if (idx[1 + k * RECORD_WORDS.INDEX + INDEX.KIND] === IndexKind.TREE) trees++;
          differential(ruleset, 1500, i + 1, stats);
        }
      }
      console.log(
        `classbench differential: ${present.length * 3} rulesets, ${trees} split-tree indexes, ${stats.packets} packets, ${stats.compared} compared, ${stats.divergences.length} divergences`,
      );
      expect(trees).toBeGreaterThanOrEqual(present.length * 2);
      expect(stats.divergences.slice(0, 3)).toEqual([]);
    },
  );
});
