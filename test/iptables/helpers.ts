// Shared helpers of the iptables module tests: load a table's rules as an iptables-save file,
// print them back, pick a rule's matches or target, and check refusals with their positions.

import { expect } from 'vitest';
import { printIptablesSave } from '../../src/frontend/iptables/printer.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import type { Family } from '../../src/ir/address.js';
import type { Match } from '../../src/ir/match.js';
import type { Ruleset } from '../../src/ir/ruleset.js';
import type { Target } from '../../src/ir/target.js';

/** The file name errors are positioned in: t.v4 or t.v6 by family. */
export const fileFor = (family: Family) => (family === 'ipv4' ? 't.v4' : 't.v6');

/** The rules (from line 2) as one table of an iptables-save file. */
export function load(
  table: string,
  rules: readonly string[],
  family: Family = 'ipv4',
  file = fileFor(family),
) {
  return parseIptablesSave(`*${table}\n${rules.join('\n')}\nCOMMIT\n`, { file, family });
}

/** The `-A` lines iptables-save prints for a ruleset. */
export function saveLines(ruleset: Ruleset): string[] {
  return printIptablesSave(ruleset, { counters: false })
    .split('\n')
    .filter((l) => l.startsWith('-A '));
}

/** The `-A` lines iptables-save prints for the rules. */
export function roundTrip(table: string, rules: readonly string[], family: Family = 'ipv4'): string[] {
  return saveLines(load(table, rules, family));
}

/** The first rule of the ruleset's first table. */
export function firstRule(ruleset: Ruleset) {
  for (const c of ruleset.tables[0]!.chains) if (c.rules[0]) return c.rules[0];
  throw new Error('no rule');
}

/** All matches of the first rule (the -s/-d/-p/... header matches included). */
export function firstMatches(ruleset: Ruleset): Match[] {
  return firstRule(ruleset).matches as Match[];
}

/** The target of the table's first rule. */
export function targetOf(table: string, rule: string, family: Family = 'ipv4'): Target {
  return firstRule(load(table, [rule], family)).target!;
}

/** The message `run` throws; fails when it throws nothing. */
export function refusal(run: () => unknown, what = 'the rule'): string {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${what} to be refused`);
}

/** Each [input, kernel's save line] pair round-trips to the kernel's line. */
export function expectSaves(
  table: string,
  cases: readonly (readonly [string, string])[],
  family: Family = 'ipv4',
) {
  for (const [input, expected] of cases) expect(roundTrip(table, [input], family), input).toEqual([expected]);
}

/** The rule is refused with the message, positioned at `where` (file:line[:column]). */
export function expectRefused(
  table: string,
  rule: string,
  where: string,
  message: string,
  family: Family = 'ipv4',
) {
  expect(() => load(table, [rule], family)).toThrow(where);
  expect(() => load(table, [rule], family)).toThrow(message);
}
