// What `nfwasm check` reports about a ruleset: tables, chains, rule counts, and which matches
// and targets it uses.

import type { Ruleset } from '../../ir/ruleset.js';

export interface RulesetSummary {
  readonly family: string;
  readonly tables: readonly {
    readonly name: string;
    readonly builtinChains: number;
    readonly userChains: number;
    readonly rules: number;
  }[];
  readonly rules: number;
  /** Match kinds and how many rules use each, most used first. */
  readonly matches: readonly (readonly [string, number])[];
  /** Target kinds (jump/goto for chain calls) and their rule counts. */
  readonly targets: readonly (readonly [string, number])[];
}

export function summarize(ruleset: Ruleset): RulesetSummary {
  const matches = new Map<string, number>();
  const targets = new Map<string, number>();
  let total = 0;
  const tables = ruleset.tables.map((t) => {
    let rules = 0;
    for (const c of t.chains) {
      for (const r of c.rules) {
        rules++;
        for (const kind of new Set(r.matches.map((m) => m.kind)))
          matches.set(kind, (matches.get(kind) ?? 0) + 1);
        const tk = r.target?.kind ?? '(none)';
        targets.set(tk, (targets.get(tk) ?? 0) + 1);
      }
    }
    total += rules;
    return {
      name: t.name,
      builtinChains: t.chains.filter((c) => c.base).length,
      userChains: t.chains.filter((c) => !c.base).length,
      rules,
    };
  });
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { family: ruleset.family, tables, rules: total, matches: sorted(matches), targets: sorted(targets) };
}

export function formatSummary(s: RulesetSummary, name: string): string {
  const lines = [`${name}: ${s.family === 'ipv4' ? 'iptables' : 'ip6tables'} ruleset, ${s.rules} rules`];
  for (const t of s.tables) {
    lines.push(
      `  ${t.name.padEnd(8)} ${String(t.rules).padStart(6)} rules  ${t.builtinChains} built-in + ${t.userChains} user chains`,
    );
  }
  if (s.matches.length) lines.push(`  matches: ${s.matches.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (s.targets.length) lines.push(`  targets: ${s.targets.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
