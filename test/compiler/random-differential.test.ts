// Differential test on random rulesets (fast-check): chains of rules built from match and target
// snippets the front end accepts, runs of kube-proxy-like exact rules so indexes are built, and
// random packets through every base chain; the reference walk and the compiled-table
// interpreter (with and without indexes) must agree on everything.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKubeProxyDump } from '../../bench/generate/kube-proxy.js';
import { compile } from '../../src/compiler/compile.js';
import { Section } from '../../src/compiler/format.js';
import { NfwasmError } from '../../src/errors.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { type DiffStats, differential } from './differential.js';

/** Snippets naming a protocol: at most one per rule. */
const PROTO_MATCHES = [
  '-p tcp',
  '-p udp',
  '! -p tcp',
  '-p icmp',
  '-p tcp -m tcp --dport 80',
  '-p tcp -m tcp --sport 1000:2000 --dport 80',
  '-p tcp -m tcp --tcp-flags SYN,ACK SYN',
  '-p tcp -m tcp ! --dport 22',
  '-p tcp -m tcp --tcp-option 2',
  '-p udp -m udp --dport 53',
  '-p udp -m udp ! --sport 53',
  '-p icmp -m icmp --icmp-type 8',
  '-p icmp -m icmp ! --icmp-type 3/1',
  '-p icmp -m icmp --icmp-type any',
  '-p tcp -m multiport --dports 80,443,8000:8100',
  '-p udp -m multiport ! --ports 53,123',
  '-p tcp -m ecn --ecn-tcp-ece',
];
const MATCHES = [
  '-s 10.0.0.0/8',
  '! -s 10.1.2.3/32',
  '-d 10.0.0.1/32',
  '-d 10.96.0.0/12',
  '-i eth0',
  '! -i eth+',
  '-o docker0',
  '-i lo',
  '-f',
  '-m mark --mark 0x1/0x1',
  '-m mark ! --mark 0x4000/0x4000',
  '-m conntrack --ctstate NEW',
  '-m conntrack --ctstate RELATED,ESTABLISHED',
  '-m conntrack ! --ctstate INVALID --ctdir REPLY',
  '-m conntrack --ctstatus ASSURED',
  '-m conntrack --ctorigdst 10.0.0.1 --ctorigdstport 80',
  '-m conntrack --ctproto tcp ! --ctexpire 10:100',
  '-m state --state NEW',
  '-m connmark --mark 0x2/0x2',
  '-m length --length 0:100',
  '-m ttl --ttl-lt 64',
  '-m ttl --ttl-gt 64',
  '-m tos --tos 0x10/0x3f',
  '-m dscp --dscp 0x0a',
  '-m iprange --src-range 10.0.0.1-10.0.0.100',
  '-m iprange ! --dst-range 10.0.0.50-10.0.0.60',
  '-m limit --limit 5/sec --limit-burst 2',
  '-m statistic --mode random --probability 0.5',
  '-m statistic --mode nth --every 3 --packet 1',
  '-m quota --quota 1000',
  '-m addrtype --dst-type LOCAL',
  '-m pkttype --pkt-type unicast',
  '-m comment --comment "note"',
  '-m recent --name r1 --set',
  '-m recent --name r1 --rcheck --seconds 60',
  '-m time --timestart 10:00',
];
const TARGETS = [
  '',
  '-j ACCEPT',
  '-j DROP',
  '-j RETURN',
  '-j REJECT --reject-with icmp-port-unreachable',
  '-j MARK --set-xmark 0x1/0xffffffff',
  '-j LOG --log-prefix "p "',
  '-j CONNMARK --save-mark',
  '-j NFQUEUE --queue-num 3',
];
const CHAINS = ['INPUT', 'FORWARD', 'OUTPUT', 'U1', 'U2', 'U3'];

interface RuleSpec {
  readonly proto: number;
  readonly matches: number[];
  readonly target: number;
  readonly jumpTo: number;
  readonly goto: boolean;
}

/** Jumps only go to later user chains, so there are no loops. */
function rulesetText(chains: RuleSpec[][], policy: number, run: number): string {
  const lines = [
    '*filter',
    ':INPUT DROP [0:0]',
    `:FORWARD ${policy ? 'ACCEPT' : 'DROP'} [0:0]`,
    ':OUTPUT ACCEPT [0:0]',
  ];
  for (const c of CHAINS.slice(3)) lines.push(`:${c} - [0:0]`);
  chains.forEach((rules, ci) => {
    const name = CHAINS[ci]!;
    // An indexable run of exact service rules, interleaved with the random ones.
    for (let i = 0; i < run; i++)
      lines.push(
        `-A ${name} -d 10.0.0.${i % 7}/32 -p ${i % 3 ? 'tcp' : 'udp'} -m ${i % 3 ? 'tcp' : 'udp'} --dport ${80 + (i % 5)} -j ${i % 2 ? 'ACCEPT' : 'DROP'}`,
      );
    for (const r of rules) {
      const later = CHAINS.slice(Math.max(3, ci + 1));
      const m = [PROTO_MATCHES[r.proto] ?? '', ...r.matches.map((i) => MATCHES[i]!)].join(' ');
      let t = TARGETS[r.target]!;
      if (later.length > 0 && r.jumpTo % 4 === 0)
        t = `${r.goto ? '-g' : '-j'} ${later[r.jumpTo % later.length]}`;
      lines.push(`-A ${name} ${m} ${t}`.replace(/ +/g, ' ').trimEnd());
    }
  });
  lines.push('COMMIT', '');
  return lines.join('\n');
}

const rule = fc.record({
  proto: fc.nat(PROTO_MATCHES.length + 3),
  matches: fc.array(fc.nat(MATCHES.length - 1), { maxLength: 2 }),
  target: fc.nat(TARGETS.length - 1),
  jumpTo: fc.nat(11),
  goto: fc.boolean(),
});

describe('compiled tables agree with the reference walk on random rulesets', () => {
  it('random rules and packets', () => {
    const stats: DiffStats = { packets: 0, compared: 0, unsupported: 0, skipped: 0, divergences: [] };
    let rulesets = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.array(fc.array(rule, { maxLength: 8 }), { minLength: 6, maxLength: 6 }),
        fc.nat(1),
        fc.constantFrom(0, 0, 10),
        fc.nat(1000),
        (chains, policy, run, seed) => {
          const text = rulesetText(chains, policy, run);
          let ruleset: ReturnType<typeof parseIptablesSave>;
          try {
            ruleset = parseIptablesSave(text, { file: 'random.v4', family: 'ipv4' });
          } catch (e) {
            // Rules the kernel refuses (owner outside OUTPUT, mac in OUTPUT, ...) are not tables.
            if (!(e instanceof NfwasmError)) throw e;
            refused++;
            return;
          }
          rulesets++;
          const before = stats.divergences.length;
          differential(ruleset, 40, seed, stats);
          if (stats.divergences.length > before) throw new Error(`${stats.divergences[before]}\n${text}`);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
    console.log(
      `random differential: ${rulesets} rulesets (${refused} refused by the front end), ${stats.packets} packets, ${stats.compared} compared, ${stats.unsupported} refused as unsupported (${stats.skipped} skipped after), ${stats.divergences.length} divergences`,
    );
    expect(stats.divergences).toEqual([]);
  });

  it('kube-proxy rulesets, where KUBE-SERVICES and KUBE-NODEPORTS are indexed', () => {
    const stats: DiffStats = { packets: 0, compared: 0, unsupported: 0, skipped: 0, divergences: [] };
    for (const seed of [1, 2, 3]) {
      const dump = generateKubeProxyDump({ services: 60, seed });
      const r = parseIptablesSave(dump.text, { file: 'kube-proxy.v4', family: 'ipv4' });
      expect(compile(r).sections[Section.INDEXES][0]).toBeGreaterThan(0);
      differential(r, 400, seed, stats);
    }
    console.log(
      `kube-proxy differential: ${stats.packets} packets, ${stats.compared} compared, ${stats.divergences.length} divergences`,
    );
    expect(stats.divergences.slice(0, 3)).toEqual([]);
  });
});
