// The traversal rules of ipt_do_table, on small tables whose rules match by a marker comment:
// a rule "matches" when its comment is in the packet's set of hit markers.

import { describe, expect, it } from 'vitest';
import { walkTable } from '../../src/engine/reference/table-walk.js';
import { ACCEPT, CONTINUE } from '../../src/engine/verdict.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import type { Chain, Rule, Table } from '../../src/ir/ruleset.js';

function table(lines: string[]): Table {
  const r = parseIptablesSave(`*filter\n${lines.join('\n')}\nCOMMIT\n`, { file: 't.v4', family: 'ipv4' });
  return r.tables[0]!;
}

function run(t: Table, chain: string, hits: string[], opts: { hotdrop?: string; mark?: string } = {}) {
  const counts = new Map<Rule | Chain, number>();
  const path: string[] = [];
  const result = walkTable(t, t.chains.find((c) => c.name === chain)!, 60, {
    match: (m) => {
      if (m.kind !== 'comment') return true;
      if (m.comment === opts.hotdrop) return 'hotdrop';
      return hits.includes(m.comment);
    },
    target: (target) => (target.kind === 'MARK' ? CONTINUE : ACCEPT),
    count: (what, bytes) => counts.set(what, (counts.get(what) ?? 0) + bytes),
    trace: (e) => {
      if (e.kind === 'enter') path.push(`${e.via}:${e.chain.name}`);
      if (e.kind === 'rule-matched') path.push(`${e.chain.name}#${e.index + 1}`);
      if (e.kind === 'policy') path.push(`policy:${e.verdict}`);
    },
  });
  const decided =
    result.decidedBy.kind === 'policy'
      ? `policy ${result.decidedBy.chain.name}`
      : `${result.decidedBy.chain.name}#${result.decidedBy.index + 1}`;
  return { verdict: result.verdict, decided, path, counts };
}

const m = (c: string) => `-m comment --comment ${c}`;

describe('table walk (ipt_do_table)', () => {
  const t = table([
    ':INPUT DROP [0:0]',
    ':A - [0:0]',
    ':B - [0:0]',
    `-A INPUT ${m('a')} -j A`,
    `-A INPUT ${m('ret')} -j RETURN`,
    `-A INPUT ${m('acc')} -j ACCEPT`,
    `-A A ${m('b')} -j B`,
    `-A A ${m('goto')} -g B`,
    `-A A ${m('a-drop')} -j DROP`,
    `-A B ${m('b-ret')} -j RETURN`,
    `-A B ${m('mark')} -j MARK --set-mark 1`,
    `-A B ${m('b-acc')} -j ACCEPT`,
  ]);

  it('falls off a built-in chain into its policy, which counts like a rule', () => {
    const r = run(t, 'INPUT', []);
    expect(r.verdict).toBe('DROP');
    expect(r.decided).toBe('policy INPUT');
    expect(r.counts.get(t.chains[0]!)).toBe(60);
  });

  it('RETURN in a built-in chain applies the policy (the seed trap)', () => {
    const r = run(t, 'INPUT', ['ret', 'acc']);
    expect(r.verdict).toBe('DROP');
    expect(r.decided).toBe('policy INPUT');
    expect(r.path).toEqual(['hook:INPUT', 'INPUT#2', 'policy:DROP']);
  });

  it('a jump returns to the rule after it; a user chain ends in an implicit RETURN', () => {
    const r = run(t, 'INPUT', ['a', 'acc']);
    expect(r.verdict).toBe('ACCEPT');
    expect(r.decided).toBe('INPUT#3');
    expect(r.path).toEqual(['hook:INPUT', 'INPUT#1', 'jump:A', 'return:INPUT', 'INPUT#3']);
  });

  it('RETURN pops one level of jumps', () => {
    const r = run(t, 'INPUT', ['a', 'b', 'b-ret', 'a-drop']);
    expect(r.decided).toBe('A#3');
    expect(r.verdict).toBe('DROP');
  });

  it('goto does not push: returning from the goto target returns past the caller', () => {
    const r = run(t, 'INPUT', ['a', 'goto', 'b-ret', 'a-drop', 'acc']);
    expect(r.path).toEqual([
      'hook:INPUT',
      'INPUT#1',
      'jump:A',
      'A#2',
      'goto:B',
      'B#1',
      'return:INPUT',
      'INPUT#3',
    ]);
    expect(r.decided).toBe('INPUT#3');
  });

  it('a goto from the built-in chain that returns applies the policy', () => {
    const g = table([
      ':INPUT ACCEPT [0:0]',
      ':X - [0:0]',
      `-A INPUT ${m('g')} -g X`,
      `-A INPUT ${m('d')} -j DROP`,
    ]);
    const r = run(g, 'INPUT', ['g', 'd']);
    expect(r.verdict).toBe('ACCEPT');
    expect(r.decided).toBe('policy INPUT');
  });

  it('non-terminating targets continue; counters count every matching rule once', () => {
    const r = run(t, 'INPUT', ['a', 'b', 'mark', 'b-acc']);
    expect(r.decided).toBe('B#3');
    const b = t.chains.find((c) => c.name === 'B')!;
    expect(b.rules.map((rule) => r.counts.get(rule) ?? 0)).toEqual([0, 60, 60]);
  });

  it('a hotdrop drops at once without counting the rule', () => {
    const r = run(t, 'INPUT', ['a'], { hotdrop: 'b' });
    expect(r.verdict).toBe('DROP');
    expect(r.decided).toBe('A#1');
    const a = t.chains.find((c) => c.name === 'A')!;
    expect(r.counts.get(a.rules[0]!)).toBeUndefined();
  });
});
