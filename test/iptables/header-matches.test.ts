// Packet-header matches (udp, multiport, icmp, icmp6, sctp, length, ttl, hl, tos, dscp, ecn,
// esp, ah, frag, rt, ipv6header, hbh, dst): round trips against what the kernel's
// iptables-legacy-save (1.8.9) printed for each input (taken from kernel oracle runs), typed IR
// values, and iptables' refusals with their positions.

import { describe, expect, it } from 'vitest';
import type { Family } from '../../src/ir/address.js';
import type { Match } from '../../src/ir/match.js';
import { firstMatches, load, refusal as refusalOf, saveLines } from './helpers.js';

const parse = (rules: string[], family: Family = 'ipv4') => load('filter', rules, family, 't.v4');

function roundTrip(rule: string, family: Family = 'ipv4'): string {
  const lines = saveLines(parse([rule], family));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

/** The rule's module matches (the header matches -s -d -i -o -p -f left out). */
function matches(rule: string, family: Family = 'ipv4'): Match[] {
  return firstMatches(parse([rule], family)).filter(
    (m) =>
      !['source', 'destination', 'in-interface', 'out-interface', 'protocol', 'fragment'].includes(m.kind),
  );
}

const refusal = (rule: string, family: Family = 'ipv4') => refusalOf(() => parse([rule], family));

/** [input rule, the line the kernel's iptables-save printed, family]. */
const KERNEL_CASES: readonly (readonly [string, string, Family?])[] = [
  ['-A INPUT -p udp --dport 53 -j ACCEPT', '-A INPUT -p udp -m udp --dport 53 -j ACCEPT'],
  [
    '-A INPUT -p udp -m udp --sport 1:1024 ! --dport domain -j ACCEPT',
    '-A INPUT -p udp -m udp --sport 1:1024 ! --dport 53 -j ACCEPT',
  ],
  ['-A INPUT -p udp -m udp --sport 0:65535', '-A INPUT -p udp -m udp'],
  ['-A INPUT -p udp -m udp ! --sport 0:65535', '-A INPUT -p udp -m udp'],
  ['-A INPUT -p udp -m udp --dport :80', '-A INPUT -p udp -m udp --dport 0:80'],
  ['-A INPUT -p udp -m udp --dport 80:', '-A INPUT -p udp -m udp --dport 80:65535'],
  ['-A INPUT -p udp -m udp --dport 90:80', '-A INPUT -p udp -m udp --dport 90:80'],
  ['-A INPUT -p udp -m udp --dport ssh', '-A INPUT -p udp -m udp --dport 22'],
  [
    '-A INPUT -p tcp -m multiport --dports 80,443,ssh,1000:2000 -j ACCEPT',
    '-A INPUT -p tcp -m multiport --dports 80,443,22,1000:2000 -j ACCEPT',
  ],
  [
    '-A INPUT -p tcp -m multiport ! --sports 80 -j ACCEPT',
    '-A INPUT -p tcp -m multiport ! --sports 80 -j ACCEPT',
  ],
  [
    '-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15',
    '-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15',
  ],
  [
    '-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:20',
    '-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:20',
  ],
  [
    '-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13:14',
    '-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13:14',
  ],
  ['-A INPUT -p sctp -m multiport --destination-ports 80,90', '-A INPUT -p sctp -m multiport --dports 80,90'],
  ['-A INPUT -p dccp -m multiport --source-ports 80,90', '-A INPUT -p dccp -m multiport --sports 80,90'],
  ['-A INPUT -p udplite -m multiport --dports 80,90', '-A INPUT -p udplite -m multiport --dports 80,90'],
  ['-A INPUT -p tcp -m multiport --dports 0x50,010', '-A INPUT -p tcp -m multiport --dports 80,8'],
  ['-A INPUT -p icmp --icmp-type echo-request -j ACCEPT', '-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT'],
  [
    '-A INPUT -p icmp -m icmp --icmp-type 3/4 -j ACCEPT',
    '-A INPUT -p icmp -m icmp --icmp-type 3/4 -j ACCEPT',
  ],
  ['-A INPUT -p icmp -m icmp ! --icmp-type port-unreachable', '-A INPUT -p icmp -m icmp ! --icmp-type 3/3'],
  ['-A INPUT -p icmp -m icmp --icmp-type any', '-A INPUT -p icmp -m icmp --icmp-type any'],
  ['-A INPUT -p icmp -m icmp --icmp-type 255/255', '-A INPUT -p icmp -m icmp --icmp-type any'],
  ['-A INPUT -p icmp -m icmp --icmp-type 3/0:255', '-A INPUT -p icmp -m icmp --icmp-type 3'],
  ['-A INPUT -p icmp -m icmp --icmp-type 3/1:3', '-A INPUT -p icmp -m icmp --icmp-type 3/1'],
  ['-A INPUT -p icmp -m icmp --icmp-type pi', '-A INPUT -p icmp -m icmp --icmp-type 8'],
  ['-A INPUT -p icmp -m icmp --icmp-type TOS-HOST-r', '-A INPUT -p icmp -m icmp --icmp-type 5/3'],
  [
    '-A INPUT -p icmpv6 --icmpv6-type neighbour-solicitation -j ACCEPT',
    '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT',
    'ipv6',
  ],
  [
    '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/3',
    '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/3',
    'ipv6',
  ],
  [
    '-A INPUT -p ipv6-icmp -m icmp6 ! --icmpv6-type 128',
    '-A INPUT -p ipv6-icmp -m icmp6 ! --icmpv6-type 128',
    'ipv6',
  ],
  [
    '-A INPUT -p ipv6-icmp -m icmpv6 --icmpv6-type no-route',
    '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/0',
    'ipv6',
  ],
  ['-A INPUT -m ttl --ttl-eq 64', '-A INPUT -m ttl --ttl-eq 64'],
  ['-A INPUT -m ttl ! --ttl-eq 64', '-A INPUT -m ttl ! --ttl-eq 64'],
  ['-A INPUT -m ttl --ttl-lt 0x10', '-A INPUT -m ttl --ttl-lt 16'],
  ['-A INPUT -m ttl --ttl-gt 254', '-A INPUT -m ttl --ttl-gt 254'],
  ['-A INPUT -m ttl --ttl 5', '-A INPUT -m ttl --ttl-eq 5'],
  ['-A INPUT -m ttl ! --ttl 5', '-A INPUT -m ttl ! --ttl-eq 5'],
  ['-A INPUT -m hl --hl-eq 255', '-A INPUT -m hl --hl-eq 255', 'ipv6'],
  ['-A INPUT -m hl ! --hl-eq 1', '-A INPUT -m hl ! --hl-eq 1', 'ipv6'],
  ['-A INPUT -m hl --hl-lt 2 -j DROP', '-A INPUT -m hl --hl-lt 2 -j DROP', 'ipv6'],
  ['-A INPUT -m hl --hl 2', '-A INPUT -m hl --hl-eq 2', 'ipv6'],
  ['-A INPUT -m length --length 0:100', '-A INPUT -m length --length 0:100'],
  ['-A INPUT -m length ! --length 1500', '-A INPUT -m length ! --length 1500'],
  ['-A INPUT -m length --length 100:', '-A INPUT -m length --length 100:65535'],
  ['-A INPUT -m length --length :100', '-A INPUT -m length --length 0:100'],
  ['-A INPUT -m length --length 100:10', '-A INPUT -m length --length 100:10'],
  ['-A INPUT -m length --length ""', '-A INPUT -m length --length 0'],
  ['-A INPUT -m length --length :', '-A INPUT -m length --length 0:65535'],
  ['-A INPUT -p udp -m udp ! --sport 0:65535', '-A INPUT -p udp -m udp'],
  ['-A INPUT -p udp -m udp --dport 90:80', '-A INPUT -p udp -m udp --dport 90:80'],
  ['-A INPUT -p udp -m udp --dport ssh', '-A INPUT -p udp -m udp --dport 22'],
  ['-A INPUT -m ttl ! --ttl 5', '-A INPUT -m ttl ! --ttl-eq 5'],
  ['-A INPUT -p udp -m udp --dport ssh:http', '-A INPUT -p udp -m udp --dport 22:80'],
  ['-A INPUT -p udp -m udp --dport 80:ssh', '-A INPUT -p udp -m udp --dport 80:22'],
  ['-A INPUT -p udp -m udp --dport :', '-A INPUT -p udp -m udp'],
  ['-A INPUT -p udp -m udp --dport ""', '-A INPUT -p udp -m udp --dport 0'],
  ['-A INPUT -p udp -m udp --dport 65536', '-A INPUT -p udp -m udp --dport 0'],
  ['-A INPUT -p udp -m udp --dport 70000', '-A INPUT -p udp -m udp --dport 4464'],
  ['-A INPUT -p udp -m udp --dport " 80"', '-A INPUT -p udp -m udp --dport 80'],
  ['-A INPUT -p udp -m udp --dport +80', '-A INPUT -p udp -m udp --dport 80'],
  ['-A INPUT -p udp -m udp --dport 080', '-A INPUT -p udp -m udp --dport 80'],
  ['-A INPUT -p udp -m udp --dport 4294967297', '-A INPUT -p udp -m udp --dport 1'],
  ['-A INPUT -p udp -m udp --dport http-alt', '-A INPUT -p udp -m udp --dport 8080'],
  ['-A INPUT -m hl ! --hl 5', '-A INPUT -m hl ! --hl-eq 5', 'ipv6'],
  [
    '-A INPUT -p sctp -m sctp --sport 80 --dport 1:100 -j ACCEPT',
    '-A INPUT -p sctp -m sctp --sport 80 --dport 1:100 -j ACCEPT',
  ],
  ['-A INPUT -p sctp -m sctp --dport 0:65535', '-A INPUT -p sctp -m sctp --dport 0:65535'],
  ['-A INPUT -p sctp -m sctp ! --dport 0:65535', '-A INPUT -p sctp -m sctp ! --dport 0:65535'],
  [
    '-A INPUT -p sctp -m sctp --chunk-types any DATA,INIT',
    '-A INPUT -p sctp -m sctp --chunk-types any DATA,INIT',
  ],
  [
    '-A INPUT -p sctp -m sctp ! --chunk-types all INIT,DATA:IuBe,ABORT:T',
    '-A INPUT -p sctp -m sctp ! --chunk-types all DATA:IuBe,INIT,ABORT:T',
  ],
  ['-A INPUT -p sctp -m sctp --chunk-types only ALL', '-A INPUT -p sctp -m sctp --chunk-types only ALL'],
  ['-A INPUT -p sctp -m sctp --chunk-types only none', '-A INPUT -p sctp -m sctp --chunk-types only NONE'],
  [
    '-A INPUT -p sctp -m sctp --chunk-types ANY i_data,pad,asconf,forward_tsn',
    '-A INPUT -p sctp -m sctp --chunk-types any I_DATA,PAD,FORWARD_TSN,ASCONF',
  ],
  [
    '-A INPUT -p sctp -m sctp --chunk-types any I_DATA:I',
    '-A INPUT -p sctp -m sctp --chunk-types any I_DATA',
  ],
  ['-A INPUT -p sctp -m sctp --chunk-types any INIT:-', '-A INPUT -p sctp -m sctp --chunk-types any INIT:-'],
  [
    '-A INPUT -p sctp -m sctp --chunk-types any DATA,,INIT',
    '-A INPUT -p sctp -m sctp --chunk-types any DATA,INIT',
  ],
  ['-A INPUT -p sctp -m sctp --chunk-types any ""', '-A INPUT -p sctp -m sctp --chunk-types any NONE'],
  ['-A INPUT -p sctp --dport 80 -j ACCEPT', '-A INPUT -p sctp -m sctp --dport 80 -j ACCEPT'],
  ['-A INPUT -m tos --tos 0x10', '-A INPUT -m tos --tos 0x10/0xff'],
  ['-A INPUT -m tos ! --tos 0x10/0x3f', '-A INPUT -m tos ! --tos 0x10/0x3f'],
  ['-A INPUT -m tos --tos Minimize-Delay', '-A INPUT -m tos --tos 0x10/0x3f'],
  ['-A INPUT -m tos --tos normal-service', '-A INPUT -m tos --tos 0x00/0x3f'],
  ['-A INPUT -m tos --tos 0x04/0xff', '-A INPUT -m tos --tos 0x04/0xff', 'ipv6'],
  ['-A INPUT -m dscp --dscp 10', '-A INPUT -m dscp --dscp 0x0a'],
  ['-A INPUT -m dscp ! --dscp 0x2e', '-A INPUT -m dscp ! --dscp 0x2e'],
  ['-A INPUT -m dscp --dscp-class EF', '-A INPUT -m dscp --dscp 0x2e'],
  ['-A INPUT -m dscp --dscp-class af41', '-A INPUT -m dscp --dscp 0x22'],
  ['-A INPUT -m dscp ! --dscp-class AF11XYZ', '-A INPUT -m dscp ! --dscp 0x0a'],
  ['-A INPUT -m dscp --dscp-class CS6', '-A INPUT -m dscp --dscp 0x30', 'ipv6'],
  ['-A INPUT -m ecn --ecn-ip-ect 1', '-A INPUT -m ecn --ecn-ip-ect 1'],
  ['-A INPUT -m ecn ! --ecn-ip-ect 3', '-A INPUT -m ecn ! --ecn-ip-ect 3'],
  [
    '-A INPUT -p tcp -m ecn --ecn-tcp-cwr ! --ecn-tcp-ece --ecn-ip-ect 2',
    '-A INPUT -p tcp -m ecn ! --ecn-tcp-ece --ecn-tcp-cwr --ecn-ip-ect 2',
  ],
  ['-A INPUT -p esp -m esp --espspi 100', '-A INPUT -p esp -m esp --espspi 100'],
  ['-A INPUT -p esp -m esp ! --espspi 100:200', '-A INPUT -p esp -m esp ! --espspi 100:200'],
  ['-A INPUT -p esp -m esp ! --espspi 0:4294967295', '-A INPUT -p esp -m esp'],
  ['-A INPUT -p esp -m esp --espspi 0:4294967295', '-A INPUT -p esp -m esp'],
  ['-A INPUT -p esp -m esp --espspi 5:', '-A INPUT -p esp -m esp --espspi 5:4294967295'],
  ['-A INPUT -p esp -m esp --espspi :5', '-A INPUT -p esp -m esp --espspi 0:5'],
  ['-A INPUT -p esp -m esp', '-A INPUT -p esp -m esp'],
  ['-A INPUT -p esp --espspi 7 -j DROP', '-A INPUT -p esp -m esp --espspi 7 -j DROP'],
  ['-A INPUT -p esp -m esp --espspi 100:50', '-A INPUT -p esp -m esp --espspi 100:50', 'ipv6'],
  ['-A INPUT -p ah -m ah --ahspi 100', '-A INPUT -p ah -m ah --ahspi 100'],
  ['-A INPUT -p ah -m ah ! --ahspi 100:200', '-A INPUT -p ah -m ah ! --ahspi 100:200'],
  ['-A INPUT -p ah -m ah', '-A INPUT -p ah -m ah'],
  ['-A INPUT -m ah --ahspi 100 --ahlen 5 --ahres', '-A INPUT -m ah --ahspi 100 --ahlen 5 --ahres', 'ipv6'],
  ['-A INPUT -m ah ! --ahlen 0', '-A INPUT -m ah ! --ahlen 0', 'ipv6'],
  ['-A INPUT -m ah --ahlen 0', '-A INPUT -m ah', 'ipv6'],
  ['-A INPUT -m ah ! --ahspi 0:4294967295', '-A INPUT -m ah', 'ipv6'],
  ['-A INPUT -p ah -m ah', '-A INPUT -p ah -m ah', 'ipv6'],
  [
    '-A INPUT -m frag --fragid 100 --fraglen 8 --fragres --fragfirst --fragmore',
    '-A INPUT -m frag --fragid 100 --fraglen 8 --fragres --fragfirst --fragmore',
    'ipv6',
  ],
  [
    '-A INPUT -m frag ! --fragid 100:200 ! --fraglen 0 --fraglast',
    '-A INPUT -m frag ! --fragid 100:200 ! --fraglen 0 --fraglast',
    'ipv6',
  ],
  ['-A INPUT -m frag --fragid 0:4294967295', '-A INPUT -m frag', 'ipv6'],
  ['-A INPUT -m frag ! --fragid 0:4294967295', '-A INPUT -m frag', 'ipv6'],
  ['-A INPUT -m frag', '-A INPUT -m frag', 'ipv6'],
  [
    '-A INPUT -m rt --rt-type 0 --rt-segsleft 2:5 --rt-len 10 --rt-0-res --rt-0-addrs ::1,2001:db8::1 --rt-0-not-strict',
    '-A INPUT -m rt --rt-type 0 --rt-segsleft 2:5 --rt-len 10 --rt-0-res --rt-0-addrs ::1,2001:db8::1 --rt-0-not-strict',
    'ipv6',
  ],
  [
    '-A INPUT -m rt ! --rt-type 2 ! --rt-segsleft 3',
    '-A INPUT -m rt ! --rt-type 2 ! --rt-segsleft 3',
    'ipv6',
  ],
  ['-A INPUT -m rt --rt-type 300', '-A INPUT -m rt --rt-type 300', 'ipv6'],
  [
    '-A INPUT -m rt --rt-type 0 --rt-0-addrs ::ffff:1.2.3.4,0:0:0:0:0:0:0:2,1:0:0:1:0:0:0:1',
    '-A INPUT -m rt --rt-type 0 --rt-0-addrs ::ffff:1.2.3.4,::2,1:0:0:1::1',
    'ipv6',
  ],
  ['-A INPUT -m rt', '-A INPUT -m rt', 'ipv6'],
  ['-A INPUT -m rt ! --rt-len 0', '-A INPUT -m rt ! --rt-len 0', 'ipv6'],
  [
    '-A INPUT -m ipv6header --header hop-by-hop,dst,route,frag,auth,esp,none,protocol',
    '-A INPUT -m ipv6header --header hop-by-hop,ipv6-opts,ipv6-route,ipv6-frag,ah,esp,ipv6-nonxt,protocol',
    'ipv6',
  ],
  [
    '-A INPUT -m ipv6header ! --header ipv6-frag --soft',
    '-A INPUT -m ipv6header ! --header ipv6-frag --soft',
    'ipv6',
  ],
  [
    '-A INPUT -m ipv6header --header 0,60,255,ip',
    '-A INPUT -m ipv6header --header hop-by-hop,ipv6-opts,protocol',
    'ipv6',
  ],
  [
    '-A INPUT -m hbh --hbh-len 5 --hbh-opts 1:2,5,0,194:4',
    '-A INPUT -m hbh --hbh-len 5 --hbh-opts 1:2,5,0,194:4',
    'ipv6',
  ],
  ['-A INPUT -m hbh ! --hbh-len 0', '-A INPUT -m hbh ! --hbh-len 0', 'ipv6'],
  ['-A INPUT -m hbh --hbh-opts 300,-1,0x10:255,1:256', '-A INPUT -m hbh --hbh-opts 44,255,16,1:0', 'ipv6'],
  ['-A INPUT -m hbh', '-A INPUT -m hbh', 'ipv6'],
  [
    '-A INPUT -m hbh --hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16',
    '-A INPUT -m hbh --hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16',
    'ipv6',
  ],
  ['-A INPUT -m dst --dst-len 5 --dst-opts 1:2,5', '-A INPUT -m dst --dst-len 5 --dst-opts 1:2,5', 'ipv6'],
  ['-A INPUT -m dst ! --dst-len 7', '-A INPUT -m dst ! --dst-len 7', 'ipv6'],
  ['-A INPUT -m dst --dst-opts " 5"', '-A INPUT -m dst --dst-opts 5', 'ipv6'],
];

describe('header matches print back as the kernel does', () => {
  for (const [input, expected, family] of KERNEL_CASES) {
    it(`${family === 'ipv6' ? 'ip6tables' : 'iptables'}: ${input}`, () => {
      expect(roundTrip(input, family ?? 'ipv4')).toBe(expected);
    });
  }
});

describe('IR values', () => {
  it('udp: ports as ranges, full range normalised away, inverted full range kept', () => {
    expect(matches('-A INPUT -p udp -m udp --sport 0:65535 ! --dport 53')).toEqual([
      { kind: 'udp', dport: { value: { from: 53, to: 53 }, invert: true } },
    ]);
    expect(matches('-A INPUT -p udp -m udp ! --sport 0:65535')).toEqual([
      { kind: 'udp', sport: { value: { from: 0, to: 65535 }, invert: true } },
    ]);
    expect(matches('-A INPUT -p udp -m udp --dport 90:80')).toEqual([
      { kind: 'udp', dport: { value: { from: 90, to: 80 }, invert: false } },
    ]);
  });

  it('multiport: direction, ports and ranges', () => {
    expect(matches('-A INPUT -p tcp -m multiport ! --sports 80,1000:2000,ssh')).toEqual([
      {
        kind: 'multiport',
        direction: 'source',
        ports: [
          { from: 80, to: 80 },
          { from: 1000, to: 2000 },
          { from: 22, to: 22 },
        ],
        invert: true,
      },
    ]);
    expect(matches('-A INPUT -p udp -m multiport --ports 53')[0]).toMatchObject({ direction: 'either' });
  });

  it('icmp and icmp6: type and code range', () => {
    expect(matches('-A INPUT -p icmp -m icmp ! --icmp-type echo-request')).toEqual([
      { kind: 'icmp', type: 8, codeMin: 0, codeMax: 255, invert: true },
    ]);
    expect(matches('-A INPUT -p icmp -m icmp --icmp-type 3/1:3')).toEqual([
      { kind: 'icmp', type: 3, codeMin: 1, codeMax: 3, invert: false },
    ]);
    expect(matches('-A INPUT -p icmp -m icmp --icmp-type any')[0]).toMatchObject({ type: 255 });
    expect(matches('-A INPUT -p icmpv6 -m icmp6 --icmpv6-type no-route', 'ipv6')).toEqual([
      { kind: 'icmp6', type: 1, codeMin: 0, codeMax: 0, invert: false },
    ]);
  });

  it('ttl and hl: comparison and value', () => {
    expect(matches('-A INPUT -m ttl ! --ttl 5')).toEqual([{ kind: 'ttl', op: 'ne', value: 5 }]);
    expect(matches('-A INPUT -m ttl --ttl-lt 0x10')).toEqual([{ kind: 'ttl', op: 'lt', value: 16 }]);
    expect(matches('-A INPUT -m hl --hl-gt 254', 'ipv6')).toEqual([{ kind: 'hl', op: 'gt', value: 254 }]);
  });

  it('length, tos, dscp, ecn', () => {
    expect(matches('-A INPUT -m length ! --length 100:')).toEqual([
      { kind: 'length', min: 100, max: 65535, invert: true },
    ]);
    expect(matches('-A INPUT -m tos --tos Minimize-Delay')).toEqual([
      { kind: 'tos', value: 0x10, mask: 0x3f, invert: false },
    ]);
    expect(matches('-A INPUT -m dscp ! --dscp-class af41')).toEqual([
      { kind: 'dscp', dscp: 0x22, invert: true },
    ]);
    expect(matches('-A INPUT -p tcp -m ecn ! --ecn-tcp-ece --ecn-ip-ect 2')).toEqual([
      { kind: 'ecn', tcpEce: { invert: true }, ipEct: { value: 2, invert: false } },
    ]);
  });

  it('sctp: ports kept even when full, chunk types and flag tests', () => {
    expect(matches('-A INPUT -p sctp -m sctp --dport 0:65535 ! --chunk-types all INIT,DATA:IuBe')).toEqual([
      {
        kind: 'sctp',
        dport: { value: { from: 0, to: 65535 }, invert: false },
        chunks: {
          value: { mode: 'all', types: [0, 1], flags: [{ chunkType: 0, value: 0x0a, mask: 0x0f }] },
          invert: true,
        },
      },
    ]);
  });

  it('esp, ah, frag: SPI / id ranges and flags', () => {
    expect(matches('-A INPUT -p esp -m esp --espspi 5:')).toEqual([
      { kind: 'esp', spi: { value: { from: 5, to: 4294967295 }, invert: false } },
    ]);
    expect(matches('-A INPUT -p esp -m esp --espspi 0:4294967295')).toEqual([{ kind: 'esp' }]);
    expect(matches('-A INPUT -m ah --ahspi 100 --ahlen 0 --ahres', 'ipv6')).toEqual([
      { kind: 'ah', spi: { value: { from: 100, to: 100 }, invert: false }, reservedZero: true },
    ]);
    expect(matches('-A INPUT -m frag ! --fragid 1:2 --fraglen 8 --fraglast', 'ipv6')).toEqual([
      {
        kind: 'frag',
        id: { value: { from: 1, to: 2 }, invert: true },
        headerLength: { value: 8, invert: false },
        reservedZero: false,
        first: false,
        more: false,
        last: true,
      },
    ]);
  });

  it('rt, hbh, dst, ipv6header', () => {
    expect(
      matches('-A INPUT -m rt --rt-type 0 --rt-segsleft 2:5 --rt-0-addrs ::1 --rt-0-not-strict', 'ipv6'),
    ).toEqual([
      {
        kind: 'rt',
        type: { value: 0, invert: false },
        segmentsLeft: { value: { from: 2, to: 5 }, invert: false },
        reservedZero: false,
        type0Addresses: { addresses: [[0, 0, 0, 1]], notStrict: true },
      },
    ]);
    expect(matches('-A INPUT -m hbh ! --hbh-len 3 --hbh-opts 1:2,5,0x10:255', 'ipv6')).toEqual([
      {
        kind: 'hbh',
        headerLength: { value: 3, invert: true },
        options: [{ type: 1, length: 2 }, { type: 5 }, { type: 16 }],
      },
    ]);
    expect(matches('-A INPUT -m dst --dst-opts 194:4', 'ipv6')).toEqual([
      { kind: 'dst', options: [{ type: 194, length: 4 }] },
    ]);
    expect(matches('-A INPUT -m ipv6header ! --header frag,hop --soft', 'ipv6')).toEqual([
      { kind: 'ipv6header', headers: ['hop-by-hop', 'fragment'], soft: true, invert: true },
    ]);
  });
});

describe('refusals', () => {
  // Refusals the kernel makes at COMMIT are reported on the rule's line (column as the core decides).
  const cases: readonly (readonly [string, string | RegExp, Family?])[] = [
    ['-A INPUT -p udp -m udp --dport 80:90:100', 't.v4:2:32: udp: Too many components'],
    ['-A INPUT -p udp -m udp --dport 0x50', 't.v4:2:32: Port "0x50" does not resolve to anything'],
    ['-A INPUT -p tcp -m udp --dport 80', /^t\.v4:2:(\d+:)? the udp match is only valid with -p udp/],
    ['-A INPUT -m multiport --dports 80', "t.v4:2:23: multiport needs `-p tcp'"],
    ['-A INPUT -p icmp -m multiport --dports 80', 't.v4:2:31: multiport only works with TCP, UDP'],
    ['-A INPUT -p tcp -m multiport --dports 80:80', 't.v4:2:39: invalid portrange specified'],
    [
      '-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16',
      't.v4:2:38: too many ports specified',
    ],
    [
      '-A INPUT -p tcp -m multiport --dports 80 --sports 90',
      't.v4:2:42: multiport: option "--sports" cannot be used',
    ],
    ['-A INPUT -p tcp -m multiport', 't.v4:2:20: multiport expection an option'],
    [
      '-A INPUT -p icmp -m icmp --icmp-type p',
      "t.v4:2:38: Ambiguous ICMP type `p': `pong' or `protocol-unreachable'?",
    ],
    ['-A INPUT -p icmp -m icmp --icmp-type 3:4', 't.v4:2:38: ICMP type range not supported'],
    ['-A INPUT -p icmp -m icmp --icmp-type 3/', "t.v4:2:38: Unknown ICMP code `3/'"],
    ['-A INPUT -p icmp -m icmp', 't.v4:2:21: icmp: option "--icmp-type" must be specified'],
    [
      '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type mld-listener-query',
      "t.v4:2:46: Unknown ICMPv6 type `mld-listener-query'",
      'ipv6',
    ],
    ['-A INPUT -p icmp -m icmp --icmp-type 1', "t.v4:2:21: unknown match `icmp'", 'ipv6'],
    [
      '-A INPUT -m ttl --ttl-eq 256',
      't.v4:2:26: ttl: bad value for option "--ttl-eq", or out of range (0-255).',
    ],
    ['-A INPUT -m ttl --ttl-eq 5 --ttl-lt 6', 't.v4:2:28: ttl: option "--ttl-lt" cannot be used together'],
    ['-A INPUT -m ttl', "t.v4:2:13: TTL match: You must specify one of `--ttl-eq'"],
    ['-A INPUT -m hl', "t.v4:2:13: HL match: You must specify one of `--hl-eq'", 'ipv6'],
    [
      '-A INPUT -m length --length 5x',
      't.v4:2:29: length: Argument to "--length" has unexpected characters near "x".',
    ],
    ['-A INPUT -m length --length 65536', 't.v4:2:29: length: bad value for option "--length" near "65536"'],
    ['-A INPUT -p sctp -m sctp --dport 90:80', 't.v4:2:34: invalid portrange (min > max)'],
    ['-A INPUT -p sctp -m sctp --chunk-types any DATA:x', 't.v4:2:44: Invalid flags for chunk type 0'],
    ['-A INPUT -p sctp -m sctp --chunk-types some DATA', 't.v4:2:40: Match type has to be one of'],
    ['-A INPUT -m tos --tos 0x10/', 't.v4:2:23: Illegal value: "0x10/"'],
    ['-A INPUT -m tos --tos Foo', 't.v4:2:23: Symbolic name "Foo" is unknown'],
    ['-A INPUT -m dscp --dscp 64', 't.v4:2:25: dscp: bad value for option "--dscp", or out of range (0-63).'],
    ['-A INPUT -m dscp --dscp-class AF1', "t.v4:2:31: Invalid DSCP value `AF1'"],
    ['-A INPUT -m ecn --ecn-tcp-cwr', /^t\.v4:2:(\d+:)? the ecn match cannot test TCP bits/],
    ['-A INPUT -m esp --espspi 7', /^t\.v4:2:(\d+:)? the esp match is only valid with -p esp/],
    ['-A INPUT -p ah -m ah --ahlen 5', 't.v4:2:22: unknown option "--ahlen"'],
    ['-A INPUT -m ah --ahspi 100', 't.v4:2:16: the ah match is only valid with -p ah'],
    ['-A INPUT -m frag --fragmore --fraglast', 't.v4:2:29: frag: option "--fragmore" cannot be used', 'ipv6'],
    [
      '-A INPUT -m rt --rt-0-res --rt-type 0',
      "t.v4:2:16: `--rt-type 0' required before `--rt-0-res'",
      'ipv6',
    ],
    ['-A INPUT -m rt --rt-type 0 --rt-0-addrs 1.2.3.4', 't.v4:2:41: bad address: 1.2.3.4', 'ipv6'],
    ['-A INPUT -m ipv6header --header foo', "t.v4:2:33: unknown header `foo' specified", 'ipv6'],
    ['-A INPUT -m ipv6header --header ,', 't.v4:2:33: ip6t_ipv6header: cannot parse header names', 'ipv6'],
    ['-A INPUT -m hbh --hbh-opts 0:1', 't.v4:2:28: PAD0 has not got length', 'ipv6'],
    ['-A INPUT -m dst --dst-opts 0:2', "t.v4:2:28: PAD0 hasn't got length", 'ipv6'],
    ['-A INPUT -m hbh --hbh-opts 1x', "t.v4:2:28: hbh: error parsing opt `1x'", 'ipv6'],
  ];
  for (const [rule, message, family] of cases) {
    it(rule, () => {
      const got = refusal(rule, family ?? 'ipv4');
      if (typeof message === 'string') expect(got).toContain(message);
      else expect(got).toMatch(message);
    });
  }
});

describe('numbers as strtoul reads them (kernel oracle)', () => {
  it('skips only C white space before a number, not U+00A0', () => {
    expect(roundTrip('-A INPUT -m length --length " 5"')).toBe('-A INPUT -m length --length 5');
    expect(refusal('-A INPUT -m length --length "\u00a05"')).toMatch(
      /length: bad value for option "--length"/,
    );
    expect(refusal('-A INPUT -m limit --limit-burst "\u00a05"')).toMatch(/limit: bad value/);
  });
});
