// A run's rule and policy counters as one flat array (per table, chain: the policy's packets and
// bytes for a built-in chain, then each rule's), so workers' counts travel as one buffer and
// merge by addition. Only what the run counted is in it: a ruleset's own [p:b] never is.

import { RuleCounters } from '../engine/counters.js';
import type { Ruleset } from '../ir/ruleset.js';

/** The counters of `counted` (a ruleset carrying a run's counts) as [packets, bytes, ...]. */
export function counterVector(counted: Ruleset): Float64Array {
  const v: number[] = [];
  for (const t of counted.tables)
    for (const c of t.chains) {
      if (c.base) v.push(Number(c.counters.packets), Number(c.counters.bytes));
      for (const r of c.rules) v.push(Number(r.counters.packets), Number(r.counters.bytes));
    }
  return Float64Array.from(v);
}

/** Adds `v` into `sum` (same ruleset). */
export function addCounters(sum: Float64Array, v: Float64Array): void {
  if (sum.length !== v.length)
    throw new Error(`counter vectors differ in length (${sum.length}, ${v.length})`);
  for (let i = 0; i < v.length; i++) sum[i]! += v[i]!;
}

/** `ruleset` with the counts of `v` (what rulesetWithCounters() would give for them). */
export function withCounters(ruleset: Ruleset, v: Float64Array): Ruleset {
  const counters = new RuleCounters();
  let at = 0;
  for (const t of ruleset.tables)
    for (const c of t.chains) {
      if (c.base) {
        if (v[at]! > 0) counters.set(c, v[at]!, v[at + 1]!);
        at += 2;
      }
      for (const r of c.rules) {
        if (v[at]! > 0) counters.set(r, v[at]!, v[at + 1]!);
        at += 2;
      }
    }
  return counters.apply(ruleset);
}
