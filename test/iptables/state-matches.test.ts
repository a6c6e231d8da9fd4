// Connection-state and metadata matches: round trips against what the kernel's
// iptables-legacy-save printed (taken from test/kernel/compare.ts runs), typed IR values, and
// iptables' refusals with their positions.

import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import type { Family } from '../../src/ir/address.js';
import type { Match } from '../../src/ir/match.js';
import { firstMatches, load, refusal as refusalOf, saveLines } from './helpers.js';

const parse = (rules: string[], family: Family = 'ipv4', table = 'filter') =>
  load(table, rules, family, 't.v4');

const roundTrip = (rules: string[], family: Family = 'ipv4', table = 'filter'): string[] =>
  saveLines(parse(rules, family, table));

const matches = (rule: string, family: Family = 'ipv4', table = 'filter'): Match[] =>
  firstMatches(parse([rule], family, table));

const refusal = (rule: string, family: Family = 'ipv4', table = 'filter') =>
  refusalOf(() => parse([rule], family, table));

/** Kernel output for each input rule (same order), from compare.ts. */
const KERNEL_CASES: readonly (readonly [string, string, Family?, string?])[] = [
  [
    '-A INPUT -m state --state NEW,established -j ACCEPT',
    '-A INPUT -m state --state NEW,ESTABLISHED -j ACCEPT',
  ],
  ['-A INPUT -m state ! --state E,R -j ACCEPT', '-A INPUT -m state ! --state RELATED,ESTABLISHED -j ACCEPT'],
  [
    '-A INPUT -m conntrack --ctstate NEW -m state --state NEW',
    '-A INPUT -m conntrack --ctstate NEW -m state --state NEW',
  ],
  [
    '-A INPUT -m conntrack --ctorigsrc 10.1.2.3/8 --ctorigdst 10 --ctreplsrc 10.1/255.0.255.0 --ctrepldst 1.2.3.4/32',
    '-A INPUT -m conntrack --ctorigsrc 10.1.2.3/8 --ctorigdst 0.0.0.10 --ctreplsrc 10.0.0.1 --ctrepldst 1.2.3.4',
  ],
  ['-A INPUT -m conntrack --ctorigsrc 0x0a000001/0', '-A INPUT -m conntrack --ctorigsrc 10.0.0.1/0'],
  [
    '-A INPUT -m conntrack --ctorigsrc 2001:db8::1/32 --ctorigdst ::1 --ctreplsrc 2001:db8::/ffff::ff',
    '-A INPUT -m conntrack --ctorigsrc 2001:db8::1/32 --ctorigdst ::1 --ctreplsrc 2001:db8::',
    'ipv6',
  ],
  ['-A INPUT -m conntrack --ctproto TCP', '-A INPUT -m conntrack --ctproto 6'],
  [
    '-A INPUT -m conntrack --ctproto udp ! --ctstatus NONE --ctexpire 5:3',
    '-A INPUT -m conntrack --ctproto 17 ! --ctstatus NONE --ctexpire 5:3',
  ],
  [
    '-A INPUT -m conntrack --ctproto udp ! --ctstatus NONE --ctexpire 5: --ctdir reply',
    '-A INPUT -m conntrack --ctproto 17 ! --ctstatus NONE --ctexpire 5:4294967295 --ctdir REPLY',
  ],
  ['-A INPUT -m conntrack --ctorigsrcport 65536', '-A INPUT -m conntrack --ctorigsrcport 0'],
  [
    '-A INPUT -m conntrack --ctorigsrcport http --ctorigdstport 10: --ctreplsrcport : --ctrepldstport :0',
    '-A INPUT -m conntrack --ctorigsrcport 80 --ctorigdstport 10:65535 --ctreplsrcport 0:65535 --ctrepldstport 0',
  ],
  [
    '-A INPUT -m conntrack ! --ctstate snat,d --ctstatus se,a,c,e --ctexpire :7 --ctdir ORIGINAL',
    '-A INPUT -m conntrack ! --ctstate SNAT,DNAT --ctstatus EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED --ctexpire 0:7 --ctdir ORIGINAL',
  ],
  ['-A INPUT -m conntrack --ctstate SNAT --ctproto 0', '-A INPUT -m conntrack --ctstate SNAT --ctproto 0'],
  ['-A INPUT -m mac --mac-source 0:1:2:3:4:5', '-A INPUT -m mac --mac-source 00:01:02:03:04:05'],
  ['-A INPUT -m mac ! --mac-source 0a:0B:0c:0d:0e:0f', '-A INPUT -m mac ! --mac-source 0a:0b:0c:0d:0e:0f'],
  ['-A INPUT -m mac --mac-source :2:3:4:5:6', '-A INPUT -m mac --mac-source 00:02:03:04:05:06'],
  ['-A INPUT -m mac --mac-source 1:2:3:4:5:-6', '-A INPUT -m mac --mac-source 01:02:03:04:05:fa'],
  ['-A INPUT -m mac --mac-source 1:2:3:4:5:+6', '-A INPUT -m mac --mac-source 01:02:03:04:05:06'],
  [
    '-A INPUT -m addrtype --src-type LOCAL,unicast ! --dst-type blackhole,U,X --limit-iface-in',
    '-A INPUT -m addrtype --src-type UNICAST,LOCAL ! --dst-type UNSPEC,BLACKHOLE,XRESOLVE --limit-iface-in',
  ],
  [
    '-A FORWARD -m addrtype --src-type LOCAL --limit-iface-out',
    '-A FORWARD -m addrtype --src-type LOCAL --limit-iface-out',
  ],
  ['-A INPUT -m mark --mark 0xffffffff/0xffffffff', '-A INPUT -m mark --mark 0xffffffff'],
  ['-A INPUT -m mark --mark 5/0', '-A INPUT -m mark --mark 0x5/0x0'],
  ['-A INPUT -m mark ! --mark 010', '-A INPUT -m mark ! --mark 0x8'],
  ['-A INPUT -m mark --mark " 5"', '-A INPUT -m mark --mark 0x5'],
  ['-A INPUT -m connmark --mark 0/0xffffffff', '-A INPUT -m connmark --mark 0x0'],
  [
    '-A INPUT -m iprange --src-range 10.0.0.5-10.0.0.1 ! --dst-range 1.2.3.4',
    '-A INPUT -m iprange --src-range 10.0.0.5-10.0.0.1 ! --dst-range 1.2.3.4-1.2.3.4',
  ],
  ['-A INPUT -m iprange --src-range 10.0.0.1-10', '-A INPUT -m iprange --src-range 10.0.0.1-10.0.0.0'],
  [
    '-A INPUT -m iprange --src-range 2001:db8::1-2001:db8::10 ! --dst-range ::ffff:1.2.3.4',
    '-A INPUT -m iprange --src-range 2001:db8::1-2001:db8::10 ! --dst-range ::ffff:1.2.3.4-::ffff:1.2.3.4',
    'ipv6',
  ],
  ['-A INPUT -m pkttype --pkt-type BCAST', '-A INPUT -m pkttype --pkt-type broadcast'],
  ['-A INPUT -m pkttype ! --pkt-type otherhost', '-A INPUT -m pkttype ! --pkt-type otherhost'],
  ['-A INPUT -m pkttype --pkt-type host', '-A INPUT -m pkttype --pkt-type unicast'],
  ['-A INPUT -m realm --realm 5', '-A INPUT -m realm --realm 0x5'],
  ['-A INPUT -m realm ! --realm 1/0xf', '-A INPUT -m realm ! --realm 0x1/0xf'],
  ['-A INPUT -m realm --realm 0', '-A INPUT -m realm --realm cosmos'],
  ['-A INPUT -m cpu --cpu 010', '-A INPUT -m cpu --cpu 8'],
  ['-A INPUT -m cpu ! --cpu 0x10', '-A INPUT -m cpu ! --cpu 16'],
  [
    '-A OUTPUT -m owner --uid-owner 0 --gid-owner 5-10 --suppl-groups ! --socket-exists',
    '-A OUTPUT -m owner ! --socket-exists --uid-owner 0 --gid-owner 5-10 --suppl-groups',
  ],
  [
    '-A OUTPUT -m owner --uid-owner root ! --gid-owner root',
    '-A OUTPUT -m owner --uid-owner 0 ! --gid-owner 0',
  ],
  ['-A OUTPUT -m owner --uid-owner 0x10:0x20', '-A OUTPUT -m owner --uid-owner 16-32'],
  [
    '-A FORWARD -m physdev --physdev-out eth+ ! --physdev-is-bridged --physdev-is-in ! --physdev-in br0 --physdev-is-out',
    '-A FORWARD -m physdev --physdev-is-in ! --physdev-in br0 --physdev-is-out --physdev-out eth+ ! --physdev-is-bridged',
  ],
  [
    '-A OUTPUT -m physdev --physdev-out lo --physdev-is-bridged',
    '-A OUTPUT -m physdev --physdev-out lo --physdev-is-bridged',
  ],
  ['-A INPUT -m physdev --physdev-in ""', '-A INPUT -m physdev --physdev-in '],
  ['-A INPUT -m physdev --physdev-in +', '-A INPUT -m physdev --physdev-in +'],
  ['-A INPUT -m helper --helper "a b"', '-A INPUT -m helper --helper "a b"'],
  ['-A INPUT -m helper ! --helper ftp-21', '-A INPUT -m helper ! --helper ftp-21'],
  [
    '-A INPUT -m helper --helper abcdefghijklmnopqrstuvwxyz0123456789',
    '-A INPUT -m helper --helper abcdefghijklmnopqrstuvwxyz012',
  ],
  ['-A INPUT -m helper --helper ""', '-A INPUT -m helper --helper ""'],
  [
    '-A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto 50 --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.1.2.3/8 --next ! --reqid 2 ! --mode transport',
    '-A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.1.2.3/8 --next ! --reqid 2 ! --mode transport',
  ],
  [
    '-A INPUT -m policy --dir in --pol ipsec ! --proto ah ! --spi 16',
    '-A INPUT -m policy --dir in --pol ipsec ! --spi 0x10 ! --proto ah',
  ],
  ['-A INPUT -m policy --dir in --pol none --reqid 5', '-A INPUT -m policy --dir in --pol none'],
  [
    '-A PREROUTING -m rpfilter --invert --accept-local --validmark --loose',
    '-A PREROUTING -m rpfilter --loose --validmark --accept-local --invert',
    'ipv4',
    'raw',
  ],
  [
    '-A PREROUTING -m socket --restore-skmark --nowildcard --transparent',
    '-A PREROUTING -m socket --transparent --nowildcard --restore-skmark',
    'ipv4',
    'mangle',
  ],
  ['-A PREROUTING -m socket', '-A PREROUTING -m socket', 'ipv4', 'mangle'],
  [
    '-A INPUT -m connbytes ! --connbytes 5:5 --connbytes-dir both --connbytes-mode bytes',
    '-A INPUT -m connbytes --connbytes 5:5 --connbytes-mode bytes --connbytes-dir both',
  ],
  [
    '-A INPUT -m connbytes ! --connbytes 5 --connbytes-dir reply --connbytes-mode packets',
    '-A INPUT -m connbytes ! --connbytes 5 --connbytes-mode packets --connbytes-dir reply',
  ],
  [
    '-A INPUT -m connbytes --connbytes 0:0 --connbytes-dir original --connbytes-mode avgpkt',
    '-A INPUT -m connbytes --connbytes 0 --connbytes-mode avgpkt --connbytes-dir original',
  ],
  [
    '-A INPUT -m connbytes ! --connbytes 3:7 --connbytes-dir both --connbytes-mode bytes',
    '-A INPUT -m connbytes ! --connbytes 3:7 --connbytes-mode bytes --connbytes-dir both',
  ],
  [
    '-A FORWARD -m devgroup --src-group 0 ! --dst-group 0x5/0xff',
    '-A FORWARD -m devgroup --src-group default ! --dst-group 0x5/0xff',
  ],
];

describe('round trips agree with the kernel', () => {
  for (const [input, expected, family, table] of KERNEL_CASES) {
    it(input, () => {
      expect(roundTrip([input], family ?? 'ipv4', table ?? 'filter')).toEqual([expected]);
    });
  }
});

describe('IR values', () => {
  it('state and conntrack share the state set type', () => {
    const [state] = matches('-A INPUT -m state --state established,NEW,E');
    const [ct] = matches('-A INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT');
    expect(state).toEqual({ kind: 'state', states: { value: ['new', 'established'], invert: false } });
    expect(ct).toEqual({
      kind: 'conntrack',
      state: { value: ['related', 'established', 'dnat'], invert: true },
    });
  });

  it('conntrack keeps the given host bits but matches on the masked network', () => {
    const [ct] = matches('-A INPUT -m conntrack --ctorigsrc 10.1.2.3/8 --ctorigdstport 53 --ctstatus NONE');
    expect(ct).toMatchObject({
      kind: 'conntrack',
      origSrc: { value: { net: { addr: [0x0a000000], prefixLen: 8 }, given: [0x0a010203] }, invert: false },
      origDstPort: { value: { from: 53, to: 53 }, invert: false },
      status: { value: [], invert: false },
    });
  });

  it('mac, mark, addrtype, owner and connbytes', () => {
    expect(matches('-A INPUT -m mac ! --mac-source 0A:0b:0c:0d:0e:0f')[0]).toEqual({
      kind: 'mac',
      source: { value: [10, 11, 12, 13, 14, 15], invert: true },
    });
    expect(matches('-A INPUT -m mark --mark 0x10/0xf0')[0]).toEqual({
      kind: 'mark',
      mark: { value: { value: 16, mask: 240 }, invert: false },
    });
    expect(matches('-A INPUT -m addrtype --dst-type local,BROADCAST --limit-iface-in')[0]).toEqual({
      kind: 'addrtype',
      destination: { value: ['local', 'broadcast'], invert: false },
      limitInterface: 'in',
    });
    expect(matches('-A OUTPUT -m owner --uid-owner www-data')[0]).toEqual({
      kind: 'owner',
      uid: { value: { from: 33, to: 33 }, invert: false },
    });
    expect(
      matches('-A INPUT -m connbytes ! --connbytes 10 --connbytes-dir both --connbytes-mode avgpkt')[0],
    ).toEqual({
      kind: 'connbytes',
      count: { from: 10n, to: (1n << 64n) - 1n },
      invert: true,
      mode: 'avgpkt',
      direction: 'both',
    });
  });

  it('iprange as typed ranges', () => {
    expect(matches('-A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9')[0]).toEqual({
      kind: 'iprange',
      source: { value: { family: 'ipv4', from: [0x0a000001], to: [0x0a000009] }, invert: false },
    });
  });
});

describe('refusals', () => {
  const cases: readonly (readonly [string, string, string?])[] = [
    ['-A INPUT -m mac --mac-source 42:01:02:03:04', 't.v4:2:30: Invalid MAC address specified.'],
    ['-A INPUT -m mac --mac-source 001:2:3:4:5:6', 't.v4:2:30: Invalid MAC address specified.'],
    ['-A INPUT -m mac --mac-source " :1:2:3:4:5"', 't.v4:2:30: Invalid MAC address specified.'],
    ['-A OUTPUT -m mac --mac-source 00:01:02:03:04:05', 't.v4:2:14: the mac match is only valid in'],
    ['-A INPUT -m state --state NEW,FOO', 't.v4:2:27: Bad state "FOO"'],
    ['-A INPUT -m state --state NEW,', 't.v4:2:27: "--state" requires a list of states with no spaces'],
    ['-A INPUT -m state', 't.v4:2:13: state: option "--state" must be specified'],
    ['-A INPUT -m conntrack', 't.v4:2:13: conntrack: At least one option is required'],
    ['-A INPUT -m conntrack --ctstate ,NEW', 't.v4:2:33: Bad ctstate ",NEW"'],
    ['-A INPUT -m conntrack --ctorigsrcport 0x50', 't.v4:2:39: Port "0x50" does not resolve to anything.'],
    ['-A INPUT -m conntrack --ctproto Tcp', 't.v4:2:33: unknown protocol "Tcp" specified'],
    ['-A INPUT -m set --match-set foo src,dst', "t.v4:2:29: Set foo doesn't exist."],
    ['-A INPUT -m mark --mark 5x', 't.v4:2:25: mark: trailing garbage after value for option "--mark".'],
    ['-A INPUT -m mark --mark 4294967296', 't.v4:2:25: mark: bad integer value for option "--mark"'],
    [
      '-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-in',
      't.v4:2:40: addrtype --limit-iface-in is only valid',
    ],
    ['-A INPUT -m addrtype --src-type wrong', 't.v4:2:33: addrtype: bad type "wrong"'],
    [
      '-A INPUT -m addrtype --limit-iface-in',
      't.v4:2:13: addrtype: you must specify --src-type or --dst-type',
    ],
    ['-A INPUT -m owner --uid-owner 0', 't.v4:2:13: the owner match is only valid in OUTPUT/POSTROUTING'],
    ['-A OUTPUT -m owner --gid-owner 3-', 't.v4:2:32: owner: Bad value for "--gid-owner" option: "3-"'],
    [
      '-A INPUT -m iprange --src-range 1.2.3.4-',
      't.v4:2:33: iprange: Bad value for "--src-range" option: ""',
    ],
    ['-A INPUT -m pkttype --pkt-type outgoing', "t.v4:2:32: Bad packet type 'outgoing'"],
    [
      '-A INPUT -m policy --dir in --pol ipsec --proto esp --tunnel-dst 10.0.0.0/8',
      't.v4:2:13: policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode',
    ],
    [
      '-A INPUT -m policy --dir in --next --reqid 5',
      't.v4:2:29: policy: option "--next" also requires "--strict".',
    ],
    ['-A INPUT -m rpfilter', 't.v4:2:13: the rpfilter match is only valid in the raw and mangle tables'],
    [
      '-A INPUT -m connbytes --connbytes 1000:0 --connbytes-mode packets --connbytes-dir original',
      't.v4:2:35: 1000 should be less than 0',
    ],
    [
      '-A INPUT -m connbytes --connbytes 0:1000',
      't.v4:2:13: connbytes: option "--connbytes-dir" must be specified',
    ],
    ['-A INPUT -m cpu --cpu 4294967296', 't.v4:2:23: cpu: bad value for option "--cpu"'],
    ['-A INPUT -m devgroup --dst-group 1', 't.v4:2:22: devgroup --dst-group is only valid'],
    ['-A INPUT -m addrtype --src-type BLACKHOLE', 't.v4:2:33: addrtype: IPv6 cannot match BLACKHOLE', 'ipv6'],
  ];
  for (const [rule, message, family] of cases) {
    it(rule, () => {
      expect(refusal(rule, (family as Family | undefined) ?? 'ipv4')).toContain(message);
    });
  }
});

describe('hook restrictions through user chains (kernel checks at COMMIT)', () => {
  it('refuses mac in a chain reached from OUTPUT', () => {
    const text = '*filter\n:X - [0:0]\n-A OUTPUT -j X\n-A X -m mac --mac-source 00:01:02:03:04:05\nCOMMIT\n';
    expect(() => parseIptablesSave(text, { file: 't.v4', family: 'ipv4' })).toThrow(
      /t\.v4:4:.*the mac match is only valid in PREROUTING\/INPUT\/FORWARD, but is reached from OUTPUT/,
    );
  });
  it('accepts addrtype --limit-iface-in in a chain reached from FORWARD', () => {
    expect(
      roundTrip([':X - [0:0]', '-A FORWARD -j X', '-A X -m addrtype --src-type LOCAL --limit-iface-in']),
    ).toEqual(['-A FORWARD -j X', '-A X -m addrtype --src-type LOCAL --limit-iface-in']);
  });
});

describe('numeric hosts as getaddrinfo reads them (kernel oracle)', () => {
  it('refuses an inet_aton part "0x" without digits, as iptables 1.8.9 does', () => {
    for (const host of ['0x.1.2.3', '1.2.3.0x', '1.2.3.4/0x.255.255.0']) {
      expect(refusal(`-A INPUT -m conntrack --ctorigsrc ${host}`), host).toMatch(/conntrack: /);
    }
    expect(refusal('-A INPUT -m recent --set --mask 0x.255.255.0')).toMatch(/recent: bad mask/);
  });
});
