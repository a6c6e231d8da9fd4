// The explain command's packet form: text → bytes → decode → the same text, and bytes equal to
// what scapy builds for the same packet.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatPacketSummary } from '../../src/wire/packet.js';
import { parsePacketSpec } from '../../src/wire/packet-text.js';
import { toHex } from './fixtures.js';

function spec(text: string) {
  const r = parsePacketSpec(text);
  if ('error' in r) throw new Error(r.error);
  return r;
}

describe('packet text form', () => {
  it('round-trips through formatPacketSummary', () => {
    for (const t of [
      'tcp 198.51.100.7:40000 > 203.0.113.1:80 flags S len 0',
      'tcp 198.51.100.7:40000 > 203.0.113.1:80 flags PA len 100',
      'udp 198.51.100.7:5353 > 203.0.113.1:53 len 12',
      'icmp 198.51.100.7 > 203.0.113.1 echo-request id 1 seq 1 len 0',
      'tcp [2001:db8::7]:40000 > [2001:db8::1]:443 flags SAEC len 0',
      'icmpv6 2001:db8::7 > 2001:db8::1 echo-reply id 9 seq 3 len 0',
    ]) {
      expect(formatPacketSummary(spec(t).packet)).toBe(t);
    }
  });

  it('reads interfaces and header fields', () => {
    const r = spec(
      'tcp 198.51.100.7:40000 > 203.0.113.1:80 iif eth0 oif docker0 flags S seq 7 mss 1460 ttl 3 df',
    );
    expect([r.iif, r.oif, r.packet.ttl, r.packet.tcpSeq, r.packet.tcpFlags]).toEqual([
      'eth0',
      'docker0',
      3,
      7,
      2,
    ]);
    expect(r.linkType).toBe('raw-ipv4');
    expect(r.packet.fragment).toBeNull();
  });

  it('explains what is wrong', () => {
    const err = (t: string) => (parsePacketSpec(t) as { error: string }).error;
    expect(err('sctp 1.2.3.4:1 > 5.6.7.8:2')).toBe("expected tcp, udp, icmp or icmpv6, got 'sctp'");
    expect(err('tcp 1.2.3.4 > 5.6.7.8:2')).toBe(
      "expected ADDRESS:PORT (IPv6 as [ADDRESS]:PORT), got '1.2.3.4'",
    );
    expect(err('tcp 1.2.3.4:1 > 5.6.7.8:2 flags SX')).toBe("bad tcp flags 'SX' (letters FSRPAUEC)");
    expect(err('tcp 1.2.3.4:1 > 5.6.7.8:70000')).toBe('port 70000 out of range');
    expect(err('udp 1.2.3.4:1 > [::1]:2')).toBe('source and destination families differ');
    expect(err('icmp 1.2.3.4 > 5.6.7.8')).toBe('icmp needs a type: echo-request, echo-reply or type N');
    expect(err('tcp 1.2.3.4:1 > 5.6.7.8:2 colour red')).toBe("'colour' needs a number, got 'red'");
    expect(err('tcp 1.2.3.4:1 > 5.6.7.8:2 bogus 1')).toBe("unknown keyword 'bogus'");
  });

  // scapy builds the same packets: the bytes must be identical (checksums included). CI installs
  // python3-scapy; a machine without it skips the comparison.
  const python = '/usr/bin/python3';
  const scapy = existsSync(python) && spawnSync(python, ['-c', 'import scapy']).status === 0;
  it.skipIf(!scapy)('builds the bytes scapy builds', () => {
    const cases: [string, string][] = [
      [
        'tcp 198.51.100.7:40000 > 203.0.113.1:80 flags S mss 1460',
        "IP(src='198.51.100.7',dst='203.0.113.1',id=0)/TCP(sport=40000,dport=80,flags='S',seq=0,window=64240,options=[('MSS',1460)])",
      ],
      [
        'udp 198.51.100.7:5353 > 203.0.113.1:53 len 4 ttl 9 tos 16',
        "IP(src='198.51.100.7',dst='203.0.113.1',id=0,ttl=9,tos=16)/UDP(sport=5353,dport=53)/Raw(bytes(4))",
      ],
      [
        'icmp 198.51.100.7 > 203.0.113.1 echo-request id 1 seq 2',
        "IP(src='198.51.100.7',dst='203.0.113.1',id=0)/ICMP(type=8,id=1,seq=2)",
      ],
      [
        'icmpv6 2001:db8::7 > 2001:db8::1 echo-request id 5 seq 6 len 2',
        "IPv6(src='2001:db8::7',dst='2001:db8::1')/ICMPv6EchoRequest(id=5,seq=6,data=bytes(2))",
      ],
    ];
    const script = `from scapy.all import *\nfor e in ${JSON.stringify(cases.map((c) => c[1]))}: print(bytes(eval(e)).hex())`;
    const out = execFileSync(python, ['-c', script], { encoding: 'utf8' }).trim().split('\n');
    for (const [i, [t]] of cases.entries()) expect(toHex(spec(t).bytes), t).toBe(out[i]);
  });
});
