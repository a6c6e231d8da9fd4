// Checks the kernel makes when a table is loaded (x_tables translate_table / xt_check_match /
// xt_check_target), which iptables-restore reports only as "line N failed" at COMMIT. nfwasm
// runs them on the frozen table and names the rule at fault instead.

import { NfwasmError, type SourcePosition } from '../../errors.js';
import type { Family } from '../../ir/address.js';
import type { ProtocolMatch } from '../../ir/base-matches.js';
import type { Rule, Table } from '../../ir/ruleset.js';
import { protocolName } from './protocols.js';
import { matchForKind, targetForKind } from './registry.js';

const HOOK_CHAIN_NAME: Record<string, string> = {
  prerouting: 'PREROUTING',
  input: 'INPUT',
  forward: 'FORWARD',
  output: 'OUTPUT',
  postrouting: 'POSTROUTING',
};

function failAt(rule: Rule, message: string, near?: RegExp): never {
  // Point at the option at fault when the rule's text shows it (save files keep the raw line).
  const m = near?.exec(rule.source.text);
  const column = m ? m.index + m[0].length - m[0].trimStart().length + 1 : 0;
  throw new NfwasmError(
    { file: rule.source.file, line: rule.source.line, column },
    `${message} (the kernel refuses the table at COMMIT)`,
  );
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const optionNear = (options: string, value: string) =>
  new RegExp(`(?:^|\\s)(?:${options})[ \\t]+${escapeRe(value)}(?=\\s|$)`);
const targetNear = (name: string) => optionNear('-j|--jump|-g|--goto', name);
const matchNear = (name: string) => optionNear('-m|--match', name);

/** Built-in chains (by hook chain name) from which each chain can be reached, by chain index. */
export function reachingHooks(table: Table): ReadonlySet<string>[] {
  const chains = table.chains;
  const n = chains.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(chains[i]!.name, i);
  // The jump/goto rules of every chain, resolved to chain indices once (not once per hook):
  // edges first[i]..first[i+1]-1 belong to chain i; callee -1 is a missing chain.
  const first = new Int32Array(n + 1);
  const callee: number[] = [];
  const edgeRule: Rule[] = [];
  for (let i = 0; i < n; i++) {
    first[i] = callee.length;
    for (const rule of chains[i]!.rules) {
      const t = rule.target;
      if (!t || (t.kind !== 'jump' && t.kind !== 'goto')) continue;
      callee.push(index.get(t.chain) ?? -1);
      edgeRule.push(rule);
    }
  }
  first[n] = callee.length;
  const roots: { chain: number; hook: string }[] = [];
  for (let i = 0; i < n; i++) {
    const base = chains[i]!.base;
    if (base) roots.push({ chain: i, hook: HOOK_CHAIN_NAME[base.hook]! });
  }
  const reached = new Uint32Array(n); // bit r: reached from roots[r]
  const onStack = new Uint8Array(n);
  const visit = (c: number, bit: number) => {
    reached[c]! |= bit;
    onStack[c] = 1;
    for (let e = first[c]!; e < first[c + 1]!; e++) {
      const to = callee[e]!;
      const rule = edgeRule[e]!;
      const name = (rule.target as { chain: string }).chain;
      if (to < 0) failAt(rule, `chain '${name}' does not exist`, targetNear(name));
      if (onStack[to])
        failAt(
          rule,
          `jumping to ${name} here makes a loop (Too many levels of symbolic links)`,
          targetNear(name),
        );
      // Already explored from this hook (and not on the stack): no loop through it.
      if (!(reached[to]! & bit)) visit(to, bit);
    }
    onStack[c] = 0;
  };
  for (let k = 0; k < roots.length; k++) visit(roots[k]!.chain, 1 << k);
  // Chains reached from the same hooks share one set: there are few combinations, many chains.
  const sets = new Map<number, ReadonlySet<string>>();
  const hooks: ReadonlySet<string>[] = [];
  for (let i = 0; i < n; i++) {
    const bits = reached[i]!;
    let set = sets.get(bits);
    if (!set) {
      set = new Set(roots.filter((_, k) => bits & (1 << k)).map((r) => r.hook));
      sets.set(bits, set);
    }
    hooks.push(set);
  }
  return hooks;
}

export function checkTable(table: Table, family: Family, at: SourcePosition): void {
  void at;
  const hooks = reachingHooks(table);
  for (let c = 0; c < table.chains.length; c++) {
    const chain = table.chains[c]!;
    const reached = hooks[c]!;
    for (const rule of chain.rules) {
      const proto = protocolOf(rule);
      const env = {
        family,
        table: table.name,
        hooks: reached,
        protocol: proto,
        matches: rule.matches,
      };
      for (const m of rule.matches) {
        const ext = matchForKind(m.kind);
        if (!ext) continue;
        if (ext.kernelProtocol !== undefined) {
          if (!proto || proto.protocol !== ext.kernelProtocol || proto.invert) {
            failAt(
              rule,
              `the ${ext.name} match is only valid with -p ${ext.name} (not inverted)`,
              matchNear(ext.name),
            );
          }
        }
        const problem = ext.kernelCheck?.(m, env);
        if (problem) failAt(rule, problem);
      }
      const t = rule.target;
      if (!t) continue;
      const ext = targetForKind(t.kind);
      if (!ext) continue;
      // x_tables checks the table, then the hooks, then the protocol, then checkentry.
      if (ext.tables && !ext.tables.includes(table.name)) {
        failAt(
          rule,
          `the ${ext.name} target is only valid in the ${ext.tables.join('/')} table, not ${table.name}`,
          targetNear(ext.name),
        );
      }
      if (ext.hooks && !isSubset(reached, ext.hooks)) {
        const bad = [...reached].filter((h) => !ext.hooks!.includes(h));
        failAt(
          rule,
          `the ${ext.name} target is used from ${bad.join('/')} (via chain ${chain.name}) but only usable from ${ext.hooks.join('/')}`,
          targetNear(ext.name),
        );
      }
      if (ext.kernelProtocol !== undefined && (proto?.protocol !== ext.kernelProtocol || proto.invert)) {
        failAt(
          rule,
          `the ${ext.name} target is only valid with -p ${protocolName(ext.kernelProtocol)} (not inverted)`,
          targetNear(ext.name),
        );
      }
      const problem = ext.kernelCheck?.(t, env);
      if (problem) failAt(rule, problem, targetNear(ext.name));
    }
  }
}

/** The rule's -p match (at most one; the front end puts it before the module matches). */
function protocolOf(rule: Rule): ProtocolMatch | undefined {
  for (const m of rule.matches) if (m.kind === 'protocol') return m;
  return undefined;
}

function isSubset(set: ReadonlySet<string>, of: readonly string[]): boolean {
  for (const h of set) if (!of.includes(h)) return false;
  return true;
}
