// The differential harness: one packet through one base chain, walked by the reference
// (table-walk.ts with the reference match evaluators) and by the compiled-table interpreter,
// each with its own context and packet copy; the decisions, counters touched and targets run
// must be the same.

import { CHAIN, RECORD_WORDS, Section } from '../../src/compiler/format.js';
import { type TableInterpreter, UnsupportedInTableError } from '../../src/compiler/interpret.js';
import type { CtView } from '../../src/engine/reference/match-context.js';
import { MATCH_EVALUATORS } from '../../src/engine/reference/matches/index.js';
import type { EnginePacket } from '../../src/engine/reference/packet.js';
import { walkTable } from '../../src/engine/reference/table-walk.js';
import { ACCEPT, CONTINUE, DROP, type TargetResult } from '../../src/engine/verdict.js';
import type { Match } from '../../src/ir/match.js';
import type { Chain, Rule, Ruleset, Table } from '../../src/ir/ruleset.js';
import type { Target } from '../../src/ir/target.js';
import { fakeContext, seededRandom } from '../engine/fake-context.js';

export interface Outcome {
  readonly verdict: string;
  readonly decided: string;
  readonly counted: readonly string[];
  readonly targets: readonly Target[];
  readonly mark: number;
}

/** Targets in tests: MARK changes the mark (later matches see it), the rest decide or continue. */
function runTarget(t: Target, p: EnginePacket): TargetResult {
  switch (t.kind) {
    case 'MARK':
      p.mark = ((p.mark & ~t.mask) ^ t.value) >>> 0;
      return CONTINUE;
    case 'REJECT':
      return DROP;
    case 'DNAT':
    case 'SNAT':
    case 'MASQUERADE':
    case 'REDIRECT':
    case 'NETMAP':
      return ACCEPT;
    case 'NFQUEUE':
      return { kind: 'verdict', verdict: 'QUEUE' };
    default:
      return CONTINUE;
  }
}

export interface Names {
  readonly rules: Map<Rule, string>;
  readonly chains: Map<Chain, string>;
}

export function namesOf(ruleset: Ruleset): Names {
  const rules = new Map<Rule, string>();
  const chains = new Map<Chain, string>();
  for (const t of ruleset.tables)
    for (const c of t.chains) {
      chains.set(c, `${t.name}/${c.name}`);
      for (const [i, r] of c.rules.entries()) rules.set(r, `${t.name}/${c.name}#${i}`);
    }
  return { rules, chains };
}

function copy(p: EnginePacket): EnginePacket {
  return { ...p };
}

/** State that lasts across packets (limit buckets, nth counters, recent lists, the random draws). */
export interface SideState {
  readonly rules: Map<Rule, Map<object, unknown>>;
  readonly shared: Map<string, unknown>;
  readonly random: () => number;
}

export function sideState(seed: number): SideState {
  return { rules: new Map(), shared: new Map(), random: seededRandom(seed) };
}

function contextFor(
  p: EnginePacket,
  hook: NonNullable<Chain['base']>['hook'],
  table: Table['name'],
  ct: CtView,
  s: SideState,
) {
  const ctx = fakeContext(p, { hook, table, ct, random: s.random, nowNs: p.timestampNs });
  ctx.ruleState = <T>(rule: Rule, key: object, init: () => T): T => {
    let m = s.rules.get(rule);
    if (!m) {
      m = new Map();
      s.rules.set(rule, m);
    }
    if (!m.has(key)) m.set(key, init());
    return m.get(key) as T;
  };
  ctx.sharedState = <T>(ns: string, name: string, init: () => T): T => {
    const k = `${ns}\0${name}`;
    if (!s.shared.has(k)) s.shared.set(k, init());
    return s.shared.get(k) as T;
  };
  return ctx;
}

export function referenceWalk(
  table: Table,
  chain: Chain,
  packet: EnginePacket,
  ct: CtView,
  names: Names,
  state: SideState,
): Outcome {
  const p = copy(packet);
  const ctx = contextFor(p, chain.base!.hook, table.name, ct, state);
  const counted: string[] = [];
  const targets: Target[] = [];
  const r = walkTable(table, chain, p.bytes.length, {
    match: (m: Match, rule: Rule) => MATCH_EVALUATORS[m.kind].test(m as never, ctx, rule),
    target: (t) => {
      targets.push(t);
      return runTarget(t, p);
    },
    count: (what) =>
      counted.push(names.rules.get(what as Rule) ?? `policy ${names.chains.get(what as Chain)}`),
  });
  const d = r.decidedBy;
  const decided = d.kind === 'policy' ? `policy ${names.chains.get(d.chain)}` : names.rules.get(d.rule)!;
  return { verdict: r.verdict, decided, counted, targets, mark: p.mark };
}

export function compiledWalk(
  interp: TableInterpreter,
  tableName: string,
  chain: Chain,
  packet: EnginePacket,
  ct: CtView,
  state: SideState,
  useIndexes = true,
): Outcome | 'unsupported' {
  const t = interp.table;
  const p = copy(packet);
  const ctx = contextFor(p, chain.base!.hook, tableName as Table['name'], ct, state);
  const chains = t.sections[Section.CHAINS];
  const ruleName = (g: number): string => {
    const rules = t.sections[Section.RULES];
    const c = rules[g * RECORD_WORDS.RULE + 5]!;
    return `${chainName(c)}#${g - chains[c * RECORD_WORDS.CHAIN + CHAIN.FIRST_RULE]!}`;
  };
  const chainName = (c: number): string => {
    const tables = t.sections[Section.TABLES];
    const table = chains[c * RECORD_WORDS.CHAIN + CHAIN.TABLE]!;
    return `${t.strings[tables[table * 4]!]}/${t.strings[chains[c * RECORD_WORDS.CHAIN]!]}`;
  };
  const counted: string[] = [];
  const targets: Target[] = [];
  try {
    const r = interp.walk(
      interp.chainIndex(tableName, chain.name),
      ctx,
      p.bytes.length,
      {
        target: (target) => {
          targets.push(target);
          return runTarget(target, p);
        },
        count: (what) =>
          counted.push(what.kind === 'rule' ? ruleName(what.rule) : `policy ${chainName(what.chain)}`),
      },
      { useIndexes },
    );
    const d = r.decidedBy;
    const decided = d.kind === 'policy' ? `policy ${chainName(d.chain)}` : ruleName(d.rule);
    return { verdict: r.verdict, decided, counted, targets, mark: p.mark };
  } catch (e) {
    if (e instanceof UnsupportedInTableError) return 'unsupported';
    throw e;
  }
}
