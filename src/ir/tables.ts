// Which tables exist, which built-in chains each has, and where they hook in: the kernel's
// xt_table definitions (iptable_*.c / ip6table_*.c), identical for IPv4 and IPv6.

import type { Hook, TableName } from './ruleset.js';

export interface BuiltinChain {
  readonly name: string;
  readonly hook: Hook;
  readonly priority: number;
}

const PRIORITY = {
  raw: -300,
  mangle: -150,
  natDst: -100,
  filter: 0,
  security: 50,
  natSrc: 100,
} as const;

const HOOK_OF: Record<string, Hook> = {
  PREROUTING: 'prerouting',
  INPUT: 'input',
  FORWARD: 'forward',
  OUTPUT: 'output',
  POSTROUTING: 'postrouting',
};

function chains(names: string[], priority: (name: string) => number): BuiltinChain[] {
  return names.map((name) => ({ name, hook: HOOK_OF[name]!, priority: priority(name) }));
}

export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly BuiltinChain[]>> = {
  raw: chains(['PREROUTING', 'OUTPUT'], () => PRIORITY.raw),
  mangle: chains(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'], () => PRIORITY.mangle),
  nat: chains(['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], (n) =>
    n === 'PREROUTING' || n === 'OUTPUT' ? PRIORITY.natDst : PRIORITY.natSrc,
  ),
  filter: chains(['INPUT', 'FORWARD', 'OUTPUT'], () => PRIORITY.filter),
  security: chains(['INPUT', 'FORWARD', 'OUTPUT'], () => PRIORITY.security),
};

/**
 * The order iptables-save prints tables in. Debian's default (nf_tables) backend uses this fixed
 * order; the legacy backend's order depends on when each table was first loaded in the kernel.
 */
export const TABLE_ORDER: readonly TableName[] = ['mangle', 'security', 'raw', 'filter', 'nat'];

export function isTableName(name: string): name is TableName {
  return Object.hasOwn(BUILTIN_CHAINS, name);
}

export function builtinChain(table: TableName, chain: string): BuiltinChain | undefined {
  return BUILTIN_CHAINS[table].find((c) => c.name === chain);
}
