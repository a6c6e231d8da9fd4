// The WebAssembly classifier against the table interpreter on ClassBench sets (split-tree
// indexes, single trees and forests), with jumps into a user chain, a user chain entered twice
// per traversal (its tree looked up again from the start), with inverted address tests (boxes
// that are not the whole rule), and on their 10k sets.

import { describe, expect, it } from 'vitest';
import {
  classBenchRuleset,
  withInversions,
  withJumps,
  withReentry,
} from '../compiler/classbench-rulesets.js';
import { emptyStats, wasmDifferential } from './wasm-differential.js';

describe('the WebAssembly classifier agrees with the table interpreter on ClassBench sets', () => {
  const present = ['acl1_1k', 'fw1_1k', 'ipc1_1k', 'acl1_10k', 'fw1_10k', 'ipc1_10k'].filter(
    (s) => classBenchRuleset(s, 1) !== null,
  );
  it.skipIf(present.length === 0)('acl1, fw1, ipc1 at 1k and 10k, also with jumps', () => {
    const stats = emptyStats();
    for (const [i, name] of present.entries()) {
      const r = classBenchRuleset(name)!;
      wasmDifferential(r, 3000, i + 1, stats, i % 2 ? 'debug' : 'release');
      if (name.endsWith('_1k')) {
        wasmDifferential(withJumps(r), 3000, i + 11, stats);
        wasmDifferential(withReentry(r), 3000, i + 21, stats);
        wasmDifferential(withInversions(r), 3000, i + 31, stats);
      }
    }
    console.log(
      `wasm classbench differential: ${stats.packets} packets, ${stats.decided} decided in wasm, ${stats.divergences.length} divergences`,
    );
    expect(stats.divergences.slice(0, 3)).toEqual([]);
    expect(stats.decided).toBe(stats.packets);
  });
});
