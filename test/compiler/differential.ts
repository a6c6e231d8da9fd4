// Runs random packets through every base chain of a ruleset with both walks and collects the
// divergences.

import { compile } from '../../src/compiler/compile.js';
import { Section } from '../../src/compiler/format.js';
import { TableInterpreter } from '../../src/compiler/interpret.js';
import type { Ruleset } from '../../src/ir/ruleset.js';
import { compiledWalk, namesOf, type Outcome, referenceWalk, sideState } from './harness.js';
import { PacketGenerator } from './packets.js';

export interface DiffStats {
  packets: number;
  compared: number;
  unsupported: number;
  /** Packets not run because a refused packet left stateful matches out of step. */
  skipped: number;
  divergences: string[];
}

function safe<T>(f: () => T): T | string {
  try {
    return f();
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

export function differential(
  ruleset: Ruleset,
  packetsPerChain: number,
  seed: number,
  stats: DiffStats,
): void {
  const table = compile(ruleset);
  const interp = new TableInterpreter(table);
  // After a packet the compiled side refuses, the reference has moved stateful matches (limit
  // buckets, random draws) on and the two sides can no longer be compared.
  const stateful = table.counts[Section.STATE_SLOTS] > 0;
  let outOfStep = false;
  const plain = new TableInterpreter(compile(ruleset, undefined, { indexes: false }));
  const names = namesOf(ruleset);
  const ref = sideState(seed);
  const withIndex = sideState(seed);
  const without = sideState(seed);
  const gen = new PacketGenerator(ruleset, seed);
  for (const t of ruleset.tables)
    for (const chain of t.chains) {
      if (!chain.base) continue;
      for (let n = 0; n < packetsPerChain; n++) {
        const { packet, ct } = gen.packet();
        stats.packets++;
        if (outOfStep) {
          stats.skipped++;
          continue;
        }
        const a: Outcome | string = safe(() => referenceWalk(t, chain, packet, ct, names, ref));
        const b = safe(() => compiledWalk(interp, t.name, chain, packet, ct, withIndex));
        const c = safe(() => compiledWalk(plain, t.name, chain, packet, ct, without, false));
        if (b === 'unsupported' || c === 'unsupported') {
          stats.unsupported++;
          outOfStep = stateful;
          continue;
        }
        stats.compared++;
        const same = (x: unknown, y: unknown) => JSON.stringify(x, replacer) === JSON.stringify(y, replacer);
        if (!same(a, b) || !same(a, c))
          stats.divergences.push(
            `${t.name}/${chain.name} packet ${n}:\n  reference ${JSON.stringify(a, replacer)}\n  indexed   ${JSON.stringify(b, replacer)}\n  plain     ${JSON.stringify(c, replacer)}`,
          );
      }
    }
}

/** Stable JSON: object keys sorted (decoded targets build their keys in another order), bigints as text. */
function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v && typeof v === 'object' && !Array.isArray(v))
    return Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1)));
  return v;
}
