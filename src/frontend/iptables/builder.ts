// The mutable state an iptables session edits: chains and rules per table, changed by commands
// (-A -I -D -R -N -X -E -F -Z -P) exactly as libiptc would, then frozen into the immutable IR.
// Both iptables-restore files and iptables command scripts drive it, so the same ruleset gives
// the same IR whichever way it was written.

import { NfwasmError, type SourcePosition } from '../../errors.js';
import type { Family } from '../../ir/address.js';
import type {
  Chain,
  Counters,
  Policy,
  Rule,
  Ruleset,
  SourceRef,
  Table,
  TableName,
} from '../../ir/ruleset.js';
import { ZERO_COUNTERS } from '../../ir/ruleset.js';
import { BUILTIN_CHAINS, builtinChain, TABLE_ORDER } from '../../ir/tables.js';
import type { ParsedCommand } from './command-line.js';
import { checkTable } from './kernel-checks.js';
import { findTarget } from './registry.js';

interface MutableChain {
  name: string;
  builtin: boolean;
  policy: Policy;
  counters: Counters;
  rules: Rule[];
  source: SourceRef | null;
}

interface MutableTable {
  name: TableName;
  chains: Map<string, MutableChain>;
  /** The frozen form made at COMMIT, kept for build() until the table changes again. */
  frozen: Table | undefined;
}

export class RulesetBuilder {
  private readonly tables = new Map<TableName, MutableTable>();

  constructor(readonly family: Family) {}

  hasTable(name: TableName): boolean {
    return this.tables.has(name);
  }

  /** The table, created with its built-in chains (ACCEPT, zero counters) on first use. */
  private table(name: TableName): MutableTable {
    let t = this.tables.get(name);
    if (!t) {
      t = { name, chains: new Map(), frozen: undefined };
      for (const b of BUILTIN_CHAINS[name]) {
        t.chains.set(b.name, {
          name: b.name,
          builtin: true,
          policy: 'ACCEPT',
          counters: ZERO_COUNTERS,
          rules: [],
          source: null,
        });
      }
      this.tables.set(name, t);
    }
    return t;
  }

  /** The table exists from now on (iptables-save -t TABLE, or any command naming it). */
  touchTable(name: TableName): void {
    this.table(name);
  }

  /**
   * iptables-restore `*table`: the table's rules are flushed and its user chains deleted, but
   * the built-in chains keep their policies (and the line that set them) from an earlier block;
   * their counters start again from zero.
   */
  resetTable(name: TableName): void {
    const old = this.tables.get(name);
    this.tables.delete(name);
    if (!old) return void this.table(name);
    for (const c of this.table(name).chains.values()) {
      const before = old.chains.get(c.name)!;
      c.policy = before.policy;
      c.source = before.source;
    }
  }

  /** The chain's name as it was created, if the chain exists (see CommandEnv.chainName). */
  chainName(table: TableName, chain: string): string | undefined {
    return this.table(table).chains.get(chain)?.name;
  }

  /** iptables-restore `:CHAIN POLICY [p:b]`. */
  declareChain(
    tableName: TableName,
    name: string,
    policy: string,
    counters: Counters | undefined,
    source: SourceRef,
    at: SourcePosition,
    policyAt: SourcePosition,
  ): void {
    const t = this.table(tableName);
    t.frozen = undefined;
    const existing = t.chains.get(name);
    if (builtinChain(tableName, name)) {
      const chain = existing!;
      chain.source = source;
      if (policy !== '-') {
        this.setPolicy(tableName, name, policy, policyAt);
        chain.counters = counters ?? ZERO_COUNTERS;
      }
      return;
    }
    if (existing) throw new NfwasmError(at, `error creating chain '${name}': chain already exists`);
    this.checkNewChainName(name, at);
    if (policy !== '-') {
      throw new NfwasmError(
        policyAt,
        `Can't set policy \`${policy}' on \`${name}': only built-in chains have a policy`,
      );
    }
    t.chains.set(name, {
      name,
      builtin: false,
      policy: 'ACCEPT',
      counters: ZERO_COUNTERS,
      rules: [],
      source,
    });
  }

  private checkNewChainName(name: string, at: SourcePosition): void {
    if (name.startsWith('-')) throw new NfwasmError(at, `chain name \`${name}' may not start with '-'`);
    if (name === '!' || /\s/.test(name)) throw new NfwasmError(at, `invalid chain name \`${name}'`);
    if (['ACCEPT', 'DROP', 'RETURN', 'QUEUE'].includes(name) || findTarget(name, this.family)) {
      throw new NfwasmError(at, `chain name \`${name}' clashes with a target name`);
    }
    if (name.length >= 29)
      throw new NfwasmError(at, `chain name \`${name}' too long (must be under 29 chars)`);
  }

  private setPolicy(tableName: TableName, chain: string, policy: string, at: SourcePosition): void {
    const c = this.table(tableName).chains.get(chain);
    if (!c) throw new NfwasmError(at, `Can't set policy \`${policy}' on \`${chain}': no chain by that name`);
    if (!c.builtin) {
      throw new NfwasmError(
        at,
        `Bad built-in chain name: can't set policy \`${policy}' on \`${chain}', only built-in chains have a policy`,
      );
    }
    if (policy !== 'ACCEPT' && policy !== 'DROP') {
      throw new NfwasmError(at, `Bad policy name \`${policy}' (expected ACCEPT or DROP)`);
    }
    if (tableName === 'nat' && policy === 'DROP') {
      throw new NfwasmError(
        at,
        'The "nat" table is not intended for filtering, the use of DROP is therefore inhibited.',
      );
    }
    c.policy = policy;
  }

  /** Applies one parsed command line. */
  apply(cmd: ParsedCommand, pos: (token: ParsedCommand['at'] | undefined) => SourcePosition): void {
    const t = this.table(cmd.table);
    t.frozen = undefined;
    const chainName = cmd.chain;
    const need = () => existingChain(t, cmd, pos);
    switch (cmd.kind) {
      case 'append': {
        const c = need();
        for (const r of cmd.rules) c.rules.push(r);
        return;
      }
      case 'insert': {
        const c = need();
        const n = cmd.ruleNumber ?? 1;
        if (n > c.rules.length + 1) {
          throw new NfwasmError(
            pos(cmd.ruleNumberAt),
            `Index of insertion too big: chain ${c.name} has ${c.rules.length} rules`,
          );
        }
        // libiptc inserts each expanded rule at the same index, so they end up reversed.
        for (const r of cmd.rules) c.rules.splice(n - 1, 0, r);
        return;
      }
      case 'replace': {
        const c = need();
        const n = cmd.ruleNumber!;
        if (n > c.rules.length) {
          throw new NfwasmError(
            pos(cmd.ruleNumberAt),
            `Index of replacement too big: chain ${c.name} has ${c.rules.length} rules`,
          );
        }
        if (cmd.rules.length !== 1) {
          throw new NfwasmError(
            pos(cmd.at),
            '-R replaces one rule: the source/destination must be a single address',
          );
        }
        c.rules[n - 1] = cmd.rules[0]!;
        return;
      }
      case 'delete': {
        const c = need();
        if (cmd.ruleNumber !== undefined) {
          if (cmd.ruleNumber > c.rules.length) {
            throw new NfwasmError(
              pos(cmd.ruleNumberAt),
              `Index of deletion too big: chain ${c.name} has ${c.rules.length} rules`,
            );
          }
          c.rules.splice(cmd.ruleNumber - 1, 1);
          return;
        }
        for (const r of cmd.rules) {
          const idx = c.rules.findIndex((x) => sameRule(x, r));
          if (idx < 0) {
            throw new NfwasmError(
              pos(cmd.at),
              `Bad rule (does a matching rule exist in that chain?): no rule in ${cmd.table} ${c.name} matches`,
            );
          }
          c.rules.splice(idx, 1);
        }
        return;
      }
      case 'check': {
        const c = need();
        for (const r of cmd.rules) {
          if (!c.rules.some((x) => sameRule(x, r))) {
            throw new NfwasmError(
              pos(cmd.at),
              `Bad rule (does a matching rule exist in that chain?): no rule in ${cmd.table} ${c.name} matches`,
            );
          }
        }
        return;
      }
      case 'list':
      case 'list-rules':
        if (chainName !== undefined) need();
        return;
      case 'flush':
        if (chainName !== undefined) need().rules = [];
        else for (const c of t.chains.values()) c.rules = [];
        return;
      case 'zero': {
        const zero = (c: MutableChain) => {
          c.counters = ZERO_COUNTERS;
          c.rules = c.rules.map((r) => ({ ...r, counters: ZERO_COUNTERS }));
        };
        if (chainName === undefined) for (const c of t.chains.values()) zero(c);
        else if (cmd.ruleNumber !== undefined) {
          const c = need();
          const r = c.rules[cmd.ruleNumber - 1];
          if (!r)
            throw new NfwasmError(
              pos(cmd.ruleNumberAt),
              `Index of counter too big: chain ${c.name} has ${c.rules.length} rules`,
            );
          c.rules[cmd.ruleNumber - 1] = { ...r, counters: ZERO_COUNTERS };
        } else zero(need());
        return;
      }
      case 'new-chain': {
        if (t.chains.has(chainName!))
          throw new NfwasmError(pos(cmd.chainAt), `Chain already exists: '${chainName}'`);
        this.checkNewChainName(chainName!, pos(cmd.chainAt));
        t.chains.set(chainName!, {
          name: chainName!,
          builtin: false,
          policy: 'ACCEPT',
          counters: ZERO_COUNTERS,
          rules: [],
          source: null,
        });
        return;
      }
      case 'delete-chain': {
        const victims = chainName === undefined ? [...t.chains.values()].filter((c) => !c.builtin) : [need()];
        for (const c of victims) {
          if (c.builtin) throw new NfwasmError(pos(cmd.chainAt), `Can't delete built-in chain '${c.name}'`);
          if (c.rules.length > 0 && chainName !== undefined) {
            throw new NfwasmError(
              pos(cmd.chainAt),
              `Directory not empty: can't delete chain '${c.name}', it still has ${c.rules.length} rule(s) (flush it with -F first)`,
            );
          }
        }
        const names = new Set(victims.map((c) => c.name));
        for (const c of victims) {
          const refs = referencesTo(t, c.name).filter((r) => !names.has(r.chain) || chainName !== undefined);
          if (refs.length > 0) {
            const r = refs[0]!;
            throw new NfwasmError(
              pos(cmd.chainAt ?? cmd.at),
              `Too many links: can't delete chain '${c.name}', it is referenced by ${refs.length} rule(s), e.g. ${r.chain} rule ${r.index + 1} (${r.rule.source.file}:${r.rule.source.line})`,
            );
          }
        }
        for (const c of victims) {
          if (c.rules.length > 0) {
            throw new NfwasmError(
              pos(cmd.at),
              `Directory not empty: can't delete chain '${c.name}', it still has rules (flush it with -F first)`,
            );
          }
        }
        for (const n of names) t.chains.delete(n);
        return;
      }
      case 'rename-chain': {
        const c = need();
        const newName = cmd.argument!;
        if (c.builtin) throw new NfwasmError(pos(cmd.chainAt), `Can't rename built-in chain '${c.name}'`);
        if (t.chains.has(newName))
          throw new NfwasmError(pos(cmd.argumentAt), `File exists: chain '${newName}' already exists`);
        this.checkNewChainName(newName, pos(cmd.argumentAt));
        const renamed = new Map<string, MutableChain>();
        for (const [k, v] of t.chains) {
          v.rules = v.rules.map((r) =>
            r.target && (r.target.kind === 'jump' || r.target.kind === 'goto') && r.target.chain === c.name
              ? { ...r, target: { kind: r.target.kind, chain: newName } }
              : r,
          );
          if (k === c.name) {
            v.name = newName;
            renamed.set(newName, v);
          } else renamed.set(k, v);
        }
        t.chains = renamed;
        return;
      }
      case 'policy':
        if (!need().builtin) {
          throw new NfwasmError(
            pos(cmd.chainAt),
            `Bad built-in chain name: can't set policy \`${cmd.argument}' on \`${chainName}', only built-in chains have a policy`,
          );
        }
        this.setPolicy(cmd.table, chainName!, cmd.argument!, pos(cmd.argumentAt));
        return;
    }
  }

  /** iptables-restore COMMIT: the kernel's checks on the whole table (loops, hooks, protocols). */
  commit(tableName: TableName, at: SourcePosition): void {
    const t = this.table(tableName);
    t.frozen ??= this.freezeTable(t);
    checkTable(t.frozen, this.family, at);
  }

  private freezeTable(t: MutableTable): Table {
    const builtins = BUILTIN_CHAINS[t.name].map((b) => t.chains.get(b.name)!);
    const users = [...t.chains.values()]
      .filter((c) => !c.builtin)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const chains: Chain[] = [...builtins, ...users].map((c) => {
      const b = builtinChain(t.name, c.name);
      return Object.freeze({
        name: c.name,
        base: b ? Object.freeze({ hook: b.hook, priority: b.priority, policy: c.policy }) : null,
        counters: c.counters,
        rules: Object.freeze(c.rules.slice()),
        source: c.source,
      });
    });
    return Object.freeze({ name: t.name, chains: Object.freeze(chains) });
  }

  build(): Ruleset {
    const tables = TABLE_ORDER.filter((n) => this.tables.has(n)).map((n) => {
      const t = this.tables.get(n)!;
      return t.frozen ?? this.freezeTable(t);
    });
    return Object.freeze({ family: this.family, tables: Object.freeze(tables) });
  }
}

/** The command's chain, which must exist. */
function existingChain(
  t: MutableTable,
  cmd: ParsedCommand,
  pos: (token: ParsedCommand['at'] | undefined) => SourcePosition,
): MutableChain {
  const c = cmd.chain === undefined ? undefined : t.chains.get(cmd.chain);
  if (!c) {
    throw new NfwasmError(
      pos(cmd.chainAt ?? cmd.at),
      `chain '${cmd.chain}' does not exist in table ${cmd.table} (No chain/target/match by that name)`,
    );
  }
  return c;
}

function referencesTo(t: MutableTable, chain: string): { chain: string; index: number; rule: Rule }[] {
  const refs: { chain: string; index: number; rule: Rule }[] = [];
  for (const c of t.chains.values()) {
    c.rules.forEach((rule, index) => {
      const tg = rule.target;
      if (tg && (tg.kind === 'jump' || tg.kind === 'goto') && tg.chain === chain)
        refs.push({ chain: c.name, index, rule });
    });
  }
  return refs;
}

/** Rule equality for `-D spec`: same matches and target, whatever the counters and source. */
function sameRule(a: Rule, b: Rule): boolean {
  const key = (r: Rule) =>
    JSON.stringify([r.matches, r.target], (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  return key(a) === key(b);
}
