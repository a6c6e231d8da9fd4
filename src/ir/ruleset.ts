// The intermediate representation every front end produces and every engine consumes.
// Immutable plain data: it can be serialised, compared with deep equality and shared freely.

import type { Family } from './address.js';
import type { Match } from './match.js';
import type { Target } from './target.js';

export type TableName = 'raw' | 'mangle' | 'nat' | 'filter' | 'security';

/** Netfilter hooks, in the kernel's names. */
export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

export type Policy = 'ACCEPT' | 'DROP';

/** Packet and byte counters, as `[packets:bytes]` in iptables-save. */
export interface Counters {
  readonly packets: bigint;
  readonly bytes: bigint;
}

export const ZERO_COUNTERS: Counters = Object.freeze({ packets: 0n, bytes: 0n });

/** Where an IR object came from: enough to point a user at the line they wrote. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  /** The rule as the user wrote it (one logical line, continuations joined). */
  readonly text: string;
}

export interface Rule {
  /** Conditions, all of which must hold, in evaluation order. */
  readonly matches: readonly Match[];
  /** What happens when they hold; null for a rule without -j/-g (it only counts). */
  readonly target: Target | null;
  readonly counters: Counters;
  readonly source: SourceRef;
}

/** A built-in chain attached to a hook, with its priority and policy. */
export interface BaseChainInfo {
  readonly hook: Hook;
  /** Netfilter hook priority (raw -300, mangle -150, dnat -100, filter 0, security 50, snat 100). */
  readonly priority: number;
  readonly policy: Policy;
}

export interface Chain {
  readonly name: string;
  /** Present for built-in (base) chains; null for user chains. */
  readonly base: BaseChainInfo | null;
  /** Policy counters for a base chain; zero for user chains. */
  readonly counters: Counters;
  readonly rules: readonly Rule[];
  /** Where the chain was declared, when it was declared in the input. */
  readonly source: SourceRef | null;
}

export interface Table {
  readonly name: TableName;
  readonly chains: readonly Chain[];
}

export interface Ruleset {
  readonly family: Family;
  /** Tables in canonical order (see TABLE_ORDER); only those the input defined. */
  readonly tables: readonly Table[];
}
