// Exact indexes whose one-rule buckets prove the match themselves (SUB_EXACT_ONE: the slot holds
// the rule's guard and port, and the walk skips the rule's ops): the WebAssembly classifier
// against the table interpreter on KUBE-SERVICES-like chains, with packets to the services' own
// addresses and ports, wrong ports, the other protocol, fragments and cut transport headers.

import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import {
  INDEX,
  IndexKind,
  RECORD_WORDS,
  Section,
  SLOT1_HEADER_WORDS,
  SUB_EXACT_ONE,
} from '../../src/compiler/format.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { emptyStats, wasmDifferential } from './wasm-differential.js';

function servicesDump(services: number, seed: number): string {
  const lines = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':SVC - [0:0]',
  ];
  lines.push('-A FORWARD -j SVC', '-A FORWARD -p tcp -j ACCEPT');
  for (let i = 0; i < services; i++) {
    const proto = (i + seed) % 3 === 0 ? 'udp' : 'tcp';
    const port = [53, 80, 443, 8080][(i * seed) % 4]!;
    // Some addresses carry two ports (a bucket of two rules: no exact slot for those).
    const host = 10 + (i % 7 === 0 ? i - 1 : i);
    lines.push(
      `-A SVC -d 10.96.0.${host}/32 -p ${proto} -m ${proto} --dport ${port} -j ${i % 2 ? 'ACCEPT' : 'DROP'}`,
    );
  }
  lines.push('-A SVC -j RETURN', 'COMMIT', '');
  return lines.join('\n');
}

/** Slots of the table's exact indexes that prove their rule. */
function exactOneSlots(text: string): number {
  const t = compile(parseIptablesSave(text, { file: 'svc.v4', family: 'ipv4' }));
  const idx = t.sections[Section.INDEXES];
  let n = 0;
  for (let i = 0; i < idx[0]!; i++) {
    const r = 1 + i * RECORD_WORDS.INDEX;
    if (idx[r + INDEX.KIND] !== IndexKind.EXACT) continue;
    const stride = SLOT1_HEADER_WORDS + idx[r + INDEX.KEY1_WORDS]! + idx[r + INDEX.TAIL_WORDS]!;
    for (let s = 0; s < idx[r + INDEX.CAPACITY]!; s++) {
      const at = idx[r + INDEX.SLOTS]! + s * stride;
      if (idx[at + 1] !== 0 && idx[at + 2] === SUB_EXACT_ONE) n++;
    }
  }
  return n;
}

describe('exact one-rule slots', () => {
  it('decide as the interpreter does, fragments and short headers included', () => {
    const stats = emptyStats();
    for (const seed of [1, 2, 3, 4]) {
      const text = servicesDump(40, seed);
      expect(exactOneSlots(text)).toBeGreaterThan(20);
      wasmDifferential(parseIptablesSave(text, { file: 'svc.v4', family: 'ipv4' }), 1500, seed, stats);
    }
    expect(stats.divergences.slice(0, 3)).toEqual([]);
    expect(stats.decided).toBeGreaterThan(4000);
  });
});
