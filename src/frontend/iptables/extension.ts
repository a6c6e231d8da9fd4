// The contract between the iptables rule parser and the match/target modules. Each module
// (matches/*.ts, targets/*.ts) declares its options the way libxtables does, builds its typed IR
// value from the options a rule gave it, and prints that value back in iptables-save's order.

import type { Family } from '../../ir/address.js';
import type { Match } from '../../ir/match.js';
import type { TableName } from '../../ir/ruleset.js';
import type { Target } from '../../ir/target.js';
import type { Token } from './tokens.js';

export interface OptionSpec {
  /** Long option name without the leading dashes, e.g. 'dport'. */
  readonly name: string;
  /** Other spellings getopt accepts for it (tcp's --source-port for --sport). */
  readonly aliases?: readonly string[];
  /** 'none': a flag; 'required': takes the next argument; 'optional': only `--opt=value`. */
  readonly arg: 'none' | 'required' | 'optional';
  /** `! --opt` is allowed (XTOPT_INVERT). */
  readonly invert?: boolean;
  /** May appear more than once in one rule (XTOPT_MULTI); otherwise a repeat is an error. */
  readonly multi?: boolean;
  /** Further arguments it consumes after its value (tcp's `--tcp-flags MASK COMP` takes 1). */
  readonly extraArgs?: number;
}

/** One option as the rule gave it. */
export interface OptionUse {
  /** The option's canonical name (from its OptionSpec), even when given abbreviated. */
  readonly name: string;
  readonly invert: boolean;
  readonly value: string | undefined;
  /** The option token itself, for error positions. */
  readonly at: Token;
  /** The value's token (or the option token when the value was given as --opt=value). */
  readonly valueAt: Token | undefined;
  /** Further arguments (see OptionSpec.extraArgs), with their tokens. */
  readonly extra: readonly Token[];
  /**
   * The rule's `-p` as it stood when this option was read: userspace checks in iptables (NAT
   * ports, multiport) see only a `-p` given before the option, unlike the kernel's checks.
   */
  readonly protocol: { readonly protocol: number; readonly invert: boolean } | undefined;
}

export interface ParseContext {
  readonly family: Family;
  readonly table: TableName;
  readonly chain: string;
  /** The rule's `-p` as given so far (iptables' final checks see the whole rule's -p). */
  readonly protocol: { readonly protocol: number; readonly invert: boolean } | undefined;
  /** Throws an NfwasmError positioned at the token (or at the module's -m/-j token). */
  error(at: Token | undefined, message: string): never;
}

interface ExtensionBase {
  /** Name after -m / -j. */
  readonly name: string;
  /** Families this module exists in; both when omitted. */
  readonly families?: readonly Family[];
  readonly options: readonly OptionSpec[];
  /**
   * The kernel module's fixed protocol (xt_match.proto): the kernel refuses the rule unless the
   * rule has exactly this `-p`, not inverted.
   */
  readonly kernelProtocol?: number;
}

/** What the kernel's checkentry sees when the table is loaded (see kernel-checks.ts). */
export interface KernelCheckEnv {
  readonly family: Family;
  readonly table: TableName;
  /** Built-in chains (PREROUTING, INPUT, ...) from which the rule can be reached. */
  readonly hooks: ReadonlySet<string>;
  /** The rule's `-p`, if any. */
  readonly protocol: { readonly protocol: number; readonly invert: boolean } | undefined;
  /** All of the rule's matches (TCPMSS, for one, looks for a tcp match requiring SYN). */
  readonly matches: readonly Match[];
}

export interface MatchExtension<M extends Match = Match> extends ExtensionBase {
  /** Validates the options (xtables parse + final_check) and returns the IR match. */
  build(uses: readonly OptionUse[], ctx: ParseContext, at: Token): M;
  /** The options in iptables-save form, e.g. '--sport 1:2 ! --dport 80' ('' when none). */
  save(match: M, family: Family): string;
  /** Whether this module builds IR values of the given kind (for the printer's lookup). */
  readonly kinds: readonly M['kind'][];
  /** Kernel checkentry beyond protocol/table/hooks: an error message when the kernel refuses. */
  kernelCheck?(match: M, env: KernelCheckEnv): string | undefined;
}

export interface TargetExtension<T extends Target = Target> extends ExtensionBase {
  /** Tables the kernel module accepts (xt_target.table); any when omitted. */
  readonly tables?: readonly TableName[];
  /** Built-in chains (by hook name) it may be reached from (xt_target.hooks); any when omitted. */
  readonly hooks?: readonly string[];
  build(uses: readonly OptionUse[], ctx: ParseContext, at: Token): T;
  save(target: T, family: Family): string;
  readonly kinds: readonly T['kind'][];
  /** Kernel checkentry beyond table/hooks: an error message when the kernel refuses. */
  kernelCheck?(target: T, env: KernelCheckEnv): string | undefined;
}

/** Helpers shared by modules. */
export function single(uses: readonly OptionUse[], name: string): OptionUse | undefined {
  for (let i = uses.length - 1; i >= 0; i--) if (uses[i]!.name === name) return uses[i];
  return undefined;
}

export function bang(invert: boolean): string {
  return invert ? '! ' : '';
}

/** Spread helper that leaves a property out entirely when its value is undefined. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
