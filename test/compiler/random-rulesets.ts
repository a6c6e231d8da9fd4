// Random iptables-save rulesets for the differential tests (compiled table interpreter, and the
// WebAssembly classifier): chains of rules built from match and target snippets the front end
// accepts, with runs of kube-proxy-like exact rules so indexes are built.

import fc from 'fast-check';

/** Snippets naming a protocol: at most one per rule. */
export const PROTO_MATCHES = [
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
export const MATCHES = [
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
export const TARGETS = [
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
export const CHAINS = ['INPUT', 'FORWARD', 'OUTPUT', 'U1', 'U2', 'U3'];

export interface RuleSpec {
  readonly proto: number;
  readonly matches: number[];
  readonly target: number;
  readonly jumpTo: number;
  readonly goto: boolean;
}

/** Jumps only go to later user chains, so there are no loops. */
export function rulesetText(chains: RuleSpec[][], policy: number, run: number): string {
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

export const rule = fc.record({
  proto: fc.nat(PROTO_MATCHES.length + 3),
  matches: fc.array(fc.nat(MATCHES.length - 1), { maxLength: 2 }),
  target: fc.nat(TARGETS.length - 1),
  jumpTo: fc.nat(11),
  goto: fc.boolean(),
});
