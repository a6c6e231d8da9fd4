// ipt_do_table for one hook's base chain of one table: the rules walked (table-walk.ts) with the
// match evaluators and target executors, every rule and policy counted as it is met.

import type { Chain, Hook, Rule, Table } from '../../ir/ruleset.js';
import type { Target } from '../../ir/target.js';
import type { NatContext } from '../conntrack/index.js';
import { matchContext, targetContext } from './contexts.js';
import type { EngineState } from './engine-state.js';
import type { HookOutcome, Journey } from './journey.js';
import type { MatchContext } from './match-context.js';
import { MATCH_EVALUATORS } from './matches/index.js';
import { walkTable } from './table-walk.js';
import type { TargetContext } from './target-executor.js';
import { TARGET_EXECUTORS } from './targets/index.js';

type AnyMatchEvaluator = { test(m: unknown, c: MatchContext, r: Rule): boolean | 'hotdrop' };
type AnyTargetExecutor = {
  run(t: Target, c: TargetContext, r: Rule): ReturnType<(typeof TARGET_EXECUTORS)['MARK']['run']>;
};

/** `nat` is set when NAT's hook walks the nat table for a connection's first packet (nat-step.ts). */
export function tableStep(
  s: EngineState,
  j: Journey,
  hook: Hook,
  table: Table,
  chain: Chain,
  nat: NatContext | null,
): HookOutcome {
  const p = j.packet;
  const mctx = matchContext(s, j, hook, table.name);
  const tctx = targetContext(s, j, hook, table.name, nat);
  const r = walkTable(table, chain, p.decoded.ipLength, {
    match: (m, rule) => (MATCH_EVALUATORS[m.kind] as AnyMatchEvaluator).test(m, mctx, rule),
    target: (t, rule) =>
      (TARGET_EXECUTORS[t.kind as keyof typeof TARGET_EXECUTORS] as AnyTargetExecutor).run(t, tctx, rule),
    // ipt_do_table counts skb->len as it is when the rule matches: after a TCPMSS earlier in
    // the walk, the longer packet.
    count: (what) => s.counters.add(what, p.decoded.ipLength),
    ...(j.trace ? { trace: (event) => j.trace!.push({ kind: 'walk', hook, table: table.name, event }) } : {}),
  });
  j.lastDecision = r.decidedBy;
  if (table.name === 'filter') j.filterDecision = r.decidedBy;
  return { verdict: r.verdict === 'QUEUE' ? 'DROP' : r.verdict, decidedBy: r.decidedBy };
}
