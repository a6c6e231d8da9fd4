// Rule boxes (the split-tree index's per-rule test): which rules a box describes exactly, so the
// WebAssembly walk may take a box hit as a match without evaluating the rule's ops.

import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { RECORD_WORDS, RULE, Section } from '../../src/compiler/format.js';
import { ruleBox } from '../../src/compiler/rule-boxes.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';

/** The box of each FORWARD rule of `rules` (iptables-save lines without the chain). */
function boxes(rules: readonly string[]) {
  const text = `*filter\n:FORWARD ACCEPT [0:0]\n${rules.map((r) => `-A FORWARD ${r}\n`).join('')}COMMIT\n`;
  const t = compile(parseIptablesSave(text, { file: 't.v4', family: 'ipv4' }));
  const ops = t.sections[Section.OPS];
  const rec = t.sections[Section.RULES];
  return rules.map((_, r) =>
    ruleBox(ops, rec[r * RECORD_WORDS.RULE + RULE.OP_START]!, rec[r * RECORD_WORDS.RULE + RULE.OP_SLOTS]!, 1),
  );
}

describe('rule boxes', () => {
  it('are exact for prefixes, protocols and port ranges', () => {
    const b = boxes([
      '-s 10.1.0.0/16 -d 192.0.2.7/32 -p tcp -m tcp --sport 1024:65535 --dport 443 -j ACCEPT',
      '-p udp -m udp --dport 53 -j DROP',
      '-m comment --comment "no tests" -j ACCEPT',
    ]);
    expect(b.map((x) => x.exact)).toEqual([true, true, true]);
    expect([b[0]!.lo[0], b[0]!.hi[0]]).toEqual([0x0a010000, 0x0a01ffff]);
    expect([b[0]!.lo[3], b[0]!.hi[3], b[0]!.lo[4], b[0]!.hi[4]]).toEqual([1024, 65535, 443, 443]);
  });

  it('are not exact when a test is inverted, not a prefix, outside the box, or impossible', () => {
    const b = boxes([
      '! -s 10.0.0.0/8 -j ACCEPT',
      '-s 10.0.3.0/255.0.255.0 -j ACCEPT',
      '-p tcp -m tcp --tcp-flags SYN,ACK SYN -j ACCEPT',
      '-d 192.0.2.1/32 -m mark --mark 0x1/0x1 -j ACCEPT',
      '-p tcp -m multiport --ports 80,443 -j ACCEPT',
      '-p tcp -m tcp --dport 80 -m tcp --dport 81 -j ACCEPT',
      '-i eth0 -j ACCEPT',
    ]);
    expect(b.map((x) => x.exact)).toEqual([false, false, false, false, false, false, false]);
    expect(b[5]!.empty).toBe(true);
  });
});
