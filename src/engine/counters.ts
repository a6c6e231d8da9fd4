// Per-rule and per-policy packet/byte counters gathered by an engine run, and the ruleset with
// those counters in place, ready for `iptables-save -c` style printing.

import type { Chain, Counters, Rule, Ruleset } from '../ir/ruleset.js';

export class RuleCounters {
  private readonly packets = new Map<Rule | Chain, number>();
  private readonly bytes = new Map<Rule | Chain, number>();

  /** One packet of `bytes` bytes hit a rule, or a chain's policy. */
  add(what: Rule | Chain, bytes: number): void {
    this.packets.set(what, (this.packets.get(what) ?? 0) + 1);
    this.bytes.set(what, (this.bytes.get(what) ?? 0) + bytes);
  }

  /** Sets a rule's or policy's counts (an engine that counted elsewhere, e.g. in WebAssembly). */
  set(what: Rule | Chain, packets: number, bytes: number): void {
    this.packets.set(what, packets);
    this.bytes.set(what, bytes);
  }

  get(what: Rule | Chain): Counters {
    return { packets: BigInt(this.packets.get(what) ?? 0), bytes: BigInt(this.bytes.get(what) ?? 0) };
  }

  /**
   * The ruleset with each rule's and policy's counters replaced by what this run counted (added
   * to the counters the ruleset came with when `accumulate` is set, as a live kernel would).
   */
  apply(ruleset: Ruleset, accumulate = false): Ruleset {
    const sum = (base: Counters, what: Rule | Chain): Counters => {
      const c = this.get(what);
      return accumulate ? { packets: base.packets + c.packets, bytes: base.bytes + c.bytes } : c;
    };
    return {
      family: ruleset.family,
      tables: ruleset.tables.map((t) => ({
        name: t.name,
        chains: t.chains.map((c) => ({
          ...c,
          counters: c.base ? sum(c.counters, c) : c.counters,
          rules: c.rules.map((r) => ({ ...r, counters: sum(r.counters, r) })),
        })),
      })),
    };
  }
}
