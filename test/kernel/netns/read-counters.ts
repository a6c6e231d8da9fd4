// Per-rule and policy counters from `iptables-save -c` output.

import type { ChainCounters, RuleCounters, TableCounters } from './kernel-result.js';

export function parseSaveCounters(save: string): TableCounters[] {
  const tables: TableCounters[] = [];
  let chains: Map<string, ChainCounters & { rules: RuleCounters[] }> | undefined;
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) {
      chains = new Map();
      tables.push({ table: line.slice(1), chains: [] });
      continue;
    }
    if (line === 'COMMIT' && chains) {
      (tables.at(-1)!.chains as ChainCounters[]).push(...chains.values());
      chains = undefined;
      continue;
    }
    if (!chains) continue;
    const policy = /^:(\S+) (\S+) \[(\d+):(\d+)\]$/.exec(line);
    if (policy) {
      const [, chain, pol, p, b] = policy as unknown as [string, string, string, string, string];
      chains.set(chain, {
        chain,
        policy: pol === '-' ? null : pol,
        packets: Number(p),
        bytes: Number(b),
        rules: [],
      });
      continue;
    }
    const rule = /^\[(\d+):(\d+)\] (-A (\S+).*)$/.exec(line);
    if (rule) {
      const [, p, b, text, chain] = rule as unknown as [string, string, string, string, string];
      const c = chains.get(chain);
      if (!c) throw new Error(`iptables-save: rule for undeclared chain ${chain}: ${line}`);
      c.rules.push({ index: c.rules.length + 1, rule: text, packets: Number(p), bytes: Number(b) });
    }
  }
  return tables;
}
