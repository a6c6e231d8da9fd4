// One table's traversal for one packet at one hook: the kernel's ipt_do_table (net/ipv4/
// netfilter/ip_tables.c), in readable form.
//
// - Rules are tried in order; a rule matches when its IP-header part and every match hold.
//   A match may "hotdrop" (a malformed header): the packet is dropped at once, and the rule is
//   not counted.
// - A matching rule's counters grow by one packet and the packet's length, then its target runs:
//   a standard verdict ends the traversal; a jump pushes the next rule as the return point and
//   enters the chain; a goto enters it without pushing; RETURN (or falling off the end of a user
//   chain) pops the stack.
// - Falling off the end of a built-in chain, or RETURN with an empty stack, applies the chain's
//   policy, which counts like a rule (it is the table's "underflow" entry).

import type { Match } from '../../ir/match.js';
import type { Chain, Rule, Table } from '../../ir/ruleset.js';
import type { Target } from '../../ir/target.js';
import type { DecidedBy, TargetResult, Verdict } from '../verdict.js';

/** What the walk needs from the engine for one packet. */
export interface WalkCallbacks {
  /** Whether the match holds; 'hotdrop' drops the packet immediately. */
  match(match: Match, rule: Rule): boolean | 'hotdrop';
  /** Runs an extension target (not a verdict, jump, goto or RETURN). */
  target(target: Target, rule: Rule): TargetResult;
  /** Adds one packet of `bytes` to a rule's or a policy's counters. */
  count(what: Rule | Chain, bytes: number): void;
  /** Optional: every step, for explanations. */
  trace?(event: WalkEvent): void;
}

export type WalkEvent =
  | { readonly kind: 'enter'; readonly chain: Chain; readonly via: 'hook' | 'jump' | 'goto' | 'return' }
  | { readonly kind: 'rule-matched'; readonly chain: Chain; readonly index: number; readonly rule: Rule }
  | {
      readonly kind: 'rule-skipped';
      readonly chain: Chain;
      readonly index: number;
      readonly rule: Rule;
      /** The first condition that failed. */
      readonly failed: Match;
    }
  | {
      readonly kind: 'target';
      readonly chain: Chain;
      readonly index: number;
      readonly rule: Rule;
      readonly result: TargetResult;
    }
  | { readonly kind: 'policy'; readonly chain: Chain; readonly verdict: Verdict }
  | {
      readonly kind: 'hotdrop';
      readonly chain: Chain;
      readonly index: number;
      readonly rule: Rule;
      readonly match: Match;
    };

export interface WalkResult {
  readonly verdict: Verdict;
  readonly decidedBy: DecidedBy;
}

/** The kernel's stack of return points is as deep as the chain nesting; it refuses loops at load. */
interface ReturnPoint {
  readonly chain: Chain;
  readonly next: number;
}

export function walkTable(
  table: Table,
  baseChain: Chain,
  packetBytes: number,
  cb: WalkCallbacks,
): WalkResult {
  const chains = chainIndex(table);
  const stack: ReturnPoint[] = [];
  let chain = baseChain;
  let i = 0;
  cb.trace?.({ kind: 'enter', chain, via: 'hook' });
  for (;;) {
    if (i >= chain.rules.length) {
      // Off the end: user chains return implicitly, the built-in chain applies its policy.
      const back = stack.pop();
      if (back) {
        chain = back.chain;
        i = back.next;
        cb.trace?.({ kind: 'enter', chain, via: 'return' });
        continue;
      }
      return applyPolicy(table, baseChain, packetBytes, cb);
    }
    const rule = chain.rules[i]!;
    const outcome = ruleMatches(rule, cb);
    if (outcome !== true) {
      if (outcome.kind === 'hotdrop') {
        cb.trace?.({ kind: 'hotdrop', chain, index: i, rule, match: outcome.match });
        return { verdict: 'DROP', decidedBy: { kind: 'rule', table, chain, index: i, rule } };
      }
      cb.trace?.({ kind: 'rule-skipped', chain, index: i, rule, failed: outcome.match });
      i++;
      continue;
    }
    cb.count(rule, packetBytes);
    cb.trace?.({ kind: 'rule-matched', chain, index: i, rule });
    const t = rule.target;
    if (t === null) {
      i++;
      continue;
    }
    switch (t.kind) {
      case 'ACCEPT':
      case 'DROP':
      case 'QUEUE':
        return { verdict: t.kind, decidedBy: { kind: 'rule', table, chain, index: i, rule } };
      case 'RETURN': {
        const back = stack.pop();
        if (!back) return applyPolicy(table, baseChain, packetBytes, cb);
        chain = back.chain;
        i = back.next;
        cb.trace?.({ kind: 'enter', chain, via: 'return' });
        continue;
      }
      case 'jump':
      case 'goto': {
        const callee = chains.get(t.chain);
        if (!callee)
          throw new Error(`chain ${t.chain} missing from table ${table.name} (the front end checks this)`);
        if (t.kind === 'jump') stack.push({ chain, next: i + 1 });
        chain = callee;
        i = 0;
        cb.trace?.({ kind: 'enter', chain, via: t.kind });
        continue;
      }
      default: {
        const result = cb.target(t, rule);
        cb.trace?.({ kind: 'target', chain, index: i, rule, result });
        if (result.kind === 'verdict') {
          return { verdict: result.verdict, decidedBy: { kind: 'rule', table, chain, index: i, rule } };
        }
        i++;
      }
    }
  }
}

function applyPolicy(table: Table, chain: Chain, packetBytes: number, cb: WalkCallbacks): WalkResult {
  const policy = chain.base?.policy ?? 'ACCEPT';
  cb.count(chain, packetBytes);
  cb.trace?.({ kind: 'policy', chain, verdict: policy });
  return { verdict: policy, decidedBy: { kind: 'policy', table, chain } };
}

type MatchOutcome = true | { readonly kind: 'no-match' | 'hotdrop'; readonly match: Match };

function ruleMatches(rule: Rule, cb: WalkCallbacks): MatchOutcome {
  for (const m of rule.matches) {
    const r = cb.match(m, rule);
    if (r === true) continue;
    return { kind: r === 'hotdrop' ? 'hotdrop' : 'no-match', match: m };
  }
  return true;
}

const CHAIN_INDEXES = new WeakMap<Table, Map<string, Chain>>();

function chainIndex(table: Table): Map<string, Chain> {
  let m = CHAIN_INDEXES.get(table);
  if (!m) {
    m = new Map(table.chains.map((c) => [c.name, c]));
    CHAIN_INDEXES.set(table, m);
  }
  return m;
}
