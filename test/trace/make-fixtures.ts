// Regenerates test/fixtures/trace/: small captures written by scapy, editcap and mergecap (the
// classic formats in every byte order, resolution and link type), pcapng edge cases built
// byte by byte, and next to each capture the tshark reading it must match (`.tshark.json`).
//
//   npx tsx test/trace/make-fixtures.ts        (needs /usr/bin/python3 with scapy, and wireshark's tools)

import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './helpers.js';
import { i64, PcapngBuilder, u8 } from './pcapng-builder.js';
import { tsharkSync } from './tshark.js';

const SCAPY = String.raw`
import sys
from decimal import Decimal
from scapy.all import *
out = sys.argv[1]
t0 = Decimal('1700000000.123456789')
def stamp(pkts):
    for i, p in enumerate(pkts):
        p.time = t0 + Decimal(i) * Decimal('0.000001001')
    return pkts
def eth():
    return stamp([
        Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/TCP(sport=40000, dport=80, flags='S'),
        Ether(src='02:00:00:00:00:02', dst='02:00:00:00:00:01')/IP(src='10.0.0.2', dst='10.0.0.1')/UDP(sport=53, dport=40001)/Raw(b'x' * 100),
        Ether(src='02:00:00:00:00:01', dst='33:33:00:00:00:01')/IPv6(src='fd00::1', dst='fd00::2')/ICMPv6EchoRequest(data=b'ping'),
        Ether(src='02:00:00:00:00:01', dst='ff:ff:ff:ff:ff:ff')/ARP(psrc='10.0.0.1', pdst='10.0.0.3'),
        Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/Dot1Q(vlan=7)/IP(src='10.0.0.1', dst='10.0.0.9')/UDP(sport=1, dport=2),
    ])
def ip():
    return stamp([IP(src='10.0.0.1', dst='10.0.0.2')/TCP(sport=40000, dport=22, flags='S'),
                  IPv6(src='fd00::1', dst='fd00::2')/UDP(sport=5, dport=6)/Raw(b'abc'),
                  IP(src='192.0.2.1', dst='198.51.100.7')/ICMP()])
def ip4():
    return [p for p in ip() if IP in p and IPv6 not in p]
def ip6():
    return [p for p in ip() if IPv6 in p]
def sll():
    return stamp([CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=b'\x02\x00\x00\x00\x00\x01\x00\x00', proto=0x0800)/IP(src='10.0.0.1', dst='10.0.0.2')/TCP(dport=443, flags='S'),
                  CookedLinux(pkttype=4, lladdrtype=1, lladdrlen=6, src=b'\x02\x00\x00\x00\x00\x02\x00\x00', proto=0x86dd)/IPv6(src='fd00::2', dst='fd00::1')/UDP(sport=7, dport=8)])
def sll2():
    return stamp([CookedLinuxV2(proto=0x0800, ifindex=3, lladdrtype=1, pkttype=0, lladdrlen=6, src=b'\x02\x00\x00\x00\x00\x01\x00\x00')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=9, dport=10),
                  CookedLinuxV2(proto=0x86dd, ifindex=4, lladdrtype=1, pkttype=4, lladdrlen=6, src=b'\x02\x00\x00\x00\x00\x02\x00\x00')/IPv6(src='fd00::2', dst='fd00::1')/TCP(dport=22, flags='SA')])
def write(name, pkts, linktype, endianness, nano):
    w = PcapWriter(out + '/' + name, linktype=linktype, endianness=endianness, nano=nano, sync=True)
    for p in pkts: w.write(p)
    w.close()
write('eth-usec-le.pcap', eth(), 1, '<', False)
write('eth-nsec-be.pcap', eth(), 1, '>', True)
write('eth-usec-be.pcap', eth(), 1, '>', False)
write('raw-nsec-le.pcap', ip(), 101, '<', True)
write('raw-usec-be.pcap', ip(), 101, '>', False)
write('ipv4-usec-le.pcap', ip4(), 228, '<', False)
write('ipv6-nsec-be.pcap', ip6(), 229, '>', True)
write('sll-usec-le.pcap', sll(), 113, '<', False)
write('sll2-nsec-be.pcap', sll2(), 276, '>', True)
`;

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

const at = (name: string): string => join(FIXTURES, name);

for (const f of readdirSync(FIXTURES)) rmSync(at(f));
run('/usr/bin/python3', ['-c', SCAPY, FIXTURES]);
// Wireshark's tools: pcapng conversion, nanosecond pcap, link-type rewrite, snaplen cut, merge.
run('editcap', ['-F', 'pcapng', at('eth-usec-le.pcap'), at('eth-editcap.pcapng')]);
run('editcap', ['-F', 'nsecpcap', at('eth-usec-be.pcap'), at('eth-editcap-nsec.pcap')]);
run('editcap', ['-F', 'pcap', '-T', 'rawip4', at('ipv4-usec-le.pcap'), at('rawip4-editcap.pcap')]);
run('editcap', ['-s', '40', at('eth-nsec-be.pcap'), at('eth-snaplen40.pcap')]);
run('editcap', ['-F', 'pcapng', '-s', '40', at('eth-nsec-be.pcap'), at('eth-snaplen40.pcapng')]);
run('mergecap', [
  '-F',
  'pcapng',
  '-w',
  at('merged.pcapng'),
  at('eth-usec-le.pcap'),
  at('raw-nsec-le.pcap'),
  at('sll-usec-le.pcap'),
  at('sll2-nsec-be.pcap'),
]);

// pcapng edge cases, built by hand.
const frame = Uint8Array.from([
  0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 20, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1,
  10, 0, 0, 2,
]);
const ip = frame.subarray(14);
/** A Name Resolution Block body: 10.0.0.1 is "host", then the end record. */
function nameRecord(le: boolean): Uint8Array {
  const body = new Uint8Array(20);
  const v = new DataView(body.buffer);
  v.setUint16(0, 1, le); // nrb_record_ipv4
  v.setUint16(2, 9, le);
  body.set([10, 0, 0, 1, 104, 111, 115, 116, 0], 4);
  return body;
}

for (const le of [true, false]) {
  const b = new PcapngBuilder()
    .section(le, [[4, 'nfwasm fixture']])
    .idb(1, 0, [
      [2, 'eth0'],
      [3, 'first port'],
      [9, u8(9)],
    ])
    .idb(101, 64, [
      [2, 'wg0'],
      [9, u8(3)],
      [14, i64(1000n, le)],
    ])
    .idb(1, 0, [
      [3, 'description only'],
      [9, u8(0x80 | 20)],
    ])
    .block(0xbad, new Uint8Array([0, 0, 0x7e, 0x59, 1, 2, 3, 4]), [])
    .epb(0, 1700000000123456789n, frame, frame.length, [
      [1, 'filter FORWARD #4 ACCEPT rules.v4:17'],
      [2, Uint8Array.of(...(le ? [2, 0, 0, 0] : [0, 0, 0, 2]))],
    ])
    .epb(1, 1700000000123n, ip, 100)
    .epb(2, (1700000000n << 20n) + 12345n, frame)
    .block(4, nameRecord(le), [])
    .spb(frame.length, frame)
    .opb(1, 1700000001000n, ip)
    .section(!le, [])
    .idb(1, 0, [
      [2, 'eth1'],
      [9, u8(6)],
    ])
    .epb(0, 1700000002000000n, frame, 1514);
  writeFileSync(at(`edge-${le ? 'le' : 'be'}.pcapng`), b.bytes());
}

for (const f of readdirSync(FIXTURES).filter((n) => !n.endsWith('.json'))) {
  const result = tsharkSync(at(f));
  if (result.status !== 0) throw new Error(`tshark failed on ${f}: ${result.stderr}`);
  const frames = result.frames.map((x) => ({ ...x, timeNs: x.timeNs?.toString() }));
  writeFileSync(at(`${f}.tshark.json`), `${JSON.stringify(frames, null, 1)}\n`);
  console.log(`${f}: ${frames.length} frames`);
}
