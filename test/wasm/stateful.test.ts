// statistic (random, nth), quota and MARK in the WebAssembly walk against the table interpreter:
// both sides keep the state across packets and draw `--mode random` from Xoshiro128ss with the
// same seed, one draw per evaluation in walk order; verdicts, deciding rules and counters must
// agree (wasm-differential.ts). A packet handed to the host undoes its walk's state changes.

import { describe, expect, it } from 'vitest';
import { generateKubeProxyDump } from '../../bench/generate/kube-proxy.js';
import { compile } from '../../src/compiler/compile.js';
import { Xoshiro128ss } from '../../src/engine/conntrack/prng.js';
import { WasmClassifier } from '../../src/engine/wasm/index.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { emptyStats, type WasmDiffStats, wasmDifferential } from './wasm-differential.js';

function summary(name: string, s: WasmDiffStats): string {
  return `${name}: ${s.packets} packets, ${s.decided} decided in wasm (${s.decidedStateful} through statistic/quota/MARK), ${s.undecidedRule} undecided at a rule, ${s.undecidedPacket} undecided packets, ${s.divergences.length} divergences`;
}

function ruleset(body: string[]) {
  const text = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':SUB - [0:0]',
  ]
    .concat(body, ['COMMIT', ''])
    .join('\n');
  return parseIptablesSave(text, { file: 'stateful.v4', family: 'ipv4' });
}

const RULESETS: Record<string, string[]> = {
  'statistic random': [
    '-A FORWARD -m statistic --mode random --probability 0.25 -j ACCEPT',
    '-A FORWARD -p tcp -m statistic --mode random --probability 0.5 -j SUB',
    '-A FORWARD -m statistic --mode random ! --probability 0.75 -j DROP',
    '-A SUB -m statistic --mode random --probability 0.33333333349 -j DROP',
    '-A SUB -m statistic --mode random --probability 0.5 -j RETURN',
    '-A INPUT -p udp -m statistic --mode random --probability 0.1 -j DROP',
    '-A OUTPUT -m statistic --mode random --probability 1.0 -j SUB',
  ],
  'statistic nth': [
    '-A FORWARD -m statistic --mode nth --every 3 --packet 0 -j ACCEPT',
    '-A FORWARD -p tcp -m statistic --mode nth --every 2 --packet 1 -j SUB',
    '-A FORWARD -m statistic --mode nth ! --every 5 --packet 4 -j DROP',
    '-A SUB -m statistic --mode nth --every 4 --packet 2 -j DROP',
    '-A INPUT -m statistic --mode nth --every 7 --packet 3 -j DROP',
    '-A OUTPUT -j SUB',
  ],
  'MARK and mark': [
    '-A FORWARD -p tcp -j MARK --set-xmark 0x4000/0x4000',
    '-A FORWARD -m mark --mark 0x4000/0x4000 -p tcp --dport 80 -j ACCEPT',
    '-A FORWARD -j SUB',
    '-A FORWARD -m mark --mark 0x4001/0xffff -j DROP',
    '-A SUB -p udp -j MARK --set-xmark 0x1/0xffff',
    '-A SUB -m mark ! --mark 0x1/0x1 -j RETURN',
    '-A SUB -j MARK --set-xmark 0x4000/0x0',
    '-A INPUT -j MARK --set-xmark 0x7/0xffffffff',
    '-A INPUT -m mark --mark 0x7 -j DROP',
    '-A OUTPUT -m statistic --mode random --probability 0.5 -j MARK --set-xmark 0x2/0x2',
    '-A OUTPUT -m mark --mark 0x2/0x2 -j DROP',
  ],
  quota: [
    '-A FORWARD -m quota --quota 3000 -j ACCEPT',
    '-A FORWARD -p tcp -m quota ! --quota 500 -j DROP',
    '-A INPUT -m quota --quota 0 -j DROP',
    '-A OUTPUT -m statistic --mode nth --every 2 --packet 0 -m quota --quota 20000 -j ACCEPT',
  ],
  'stateful then host': [
    // The nth counter and the draws are undone when the walk then reaches a host-only op.
    '-A FORWARD -m statistic --mode nth --every 3 --packet 0 -j SUB',
    '-A FORWARD -m statistic --mode random --probability 0.5 -m limit --limit 5/sec -j DROP',
    '-A FORWARD -m quota --quota 5000 -j ACCEPT',
    '-A SUB -m statistic --mode random --probability 0.5 -j REJECT',
    '-A SUB -m quota --quota 2000 -m addrtype --dst-type LOCAL -j DROP',
  ],
};

describe('stateful matches and MARK in the WebAssembly walk', () => {
  it('draws what Xoshiro128ss draws', () => {
    const w = new WasmClassifier(compile(ruleset([])), { seed: 1234 });
    const ref = new Xoshiro128ss(1234);
    for (let i = 0; i < 1000; i++) expect(w.exports.randomNext() >>> 0).toBe(ref.nextU32());
  });

  for (const [name, body] of Object.entries(RULESETS))
    it(`${name}: same verdicts, deciding rules and counters`, () => {
      const stats = emptyStats();
      for (const seed of [1, 2, 3, 4])
        for (const build of ['release', 'debug'] as const)
          wasmDifferential(ruleset(body), 300, seed, stats, build);
      console.log(summary(`wasm ${name}`, stats));
      expect(stats.divergences.slice(0, 5)).toEqual([]);
      if (name !== 'stateful then host') expect(stats.decidedStateful).toBeGreaterThan(stats.packets * 0.2);
    });

  it('the full kube-proxy layout at 1k rules', () => {
    const stats = emptyStats();
    for (const seed of [1, 2, 3]) {
      const dump = generateKubeProxyDump({ rules: 1000, seed, simple: false });
      const r = parseIptablesSave(dump.text, { file: 'kube-proxy.v4', family: 'ipv4' });
      wasmDifferential(r, 400, seed, stats);
    }
    console.log(summary('wasm kube-proxy (full layout, 1k rules)', stats));
    expect(stats.divergences.slice(0, 5)).toEqual([]);
    expect(stats.decided).toBeGreaterThan(0);
  });
});
