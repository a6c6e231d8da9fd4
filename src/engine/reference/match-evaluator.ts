// The contract for evaluating one IR match kind on a packet.

import type { Match } from '../../ir/match.js';
import type { Rule } from '../../ir/ruleset.js';
import type { MatchContext } from './match-context.js';

export interface MatchEvaluator<M extends Match = Match> {
  readonly kind: M['kind'];
  /** Whether the packet matches; 'hotdrop' when the kernel's match would drop it outright. */
  test(match: M, ctx: MatchContext, rule: Rule): boolean | 'hotdrop';
}

/** The match type(s) carrying a kind (InterfaceMatch carries two). */
export type MatchOfKind<K extends Match['kind'], M extends Match = Match> = M extends Match
  ? K extends M['kind']
    ? M
    : never
  : never;

/** Every match kind must have an evaluator: the type makes a missing one a compile error. */
export type MatchEvaluators = { readonly [K in Match['kind']]: MatchEvaluator<MatchOfKind<K>> };
