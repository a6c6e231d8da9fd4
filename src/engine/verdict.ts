// What a table traversal, a hook or the whole packet path decides, and where it was decided.

import type { Chain, Rule, Table } from '../ir/ruleset.js';

/** Netfilter verdicts (NF_*) as they matter to a packet's fate. */
export type Verdict = 'ACCEPT' | 'DROP' | 'QUEUE' | 'STOLEN';

/** The rule or policy that produced a verdict. */
export type DecidedBy =
  | {
      readonly kind: 'rule';
      readonly table: Table;
      readonly chain: Chain;
      readonly index: number;
      readonly rule: Rule;
    }
  | { readonly kind: 'policy'; readonly table: Table; readonly chain: Chain };

/** What an extension target tells the traversal: go on with the next rule, or stop with a verdict. */
export type TargetResult =
  | { readonly kind: 'continue' }
  | { readonly kind: 'verdict'; readonly verdict: Verdict };

export const CONTINUE: TargetResult = Object.freeze({ kind: 'continue' });
export const ACCEPT: TargetResult = Object.freeze({ kind: 'verdict', verdict: 'ACCEPT' });
export const DROP: TargetResult = Object.freeze({ kind: 'verdict', verdict: 'DROP' });
