// Our own small captures (test/fixtures/trace, made by make-fixtures.ts with scapy, editcap,
// mergecap and a pcapng builder): every classic byte order, resolution and link type, pcapng
// from both tools and by hand. Each is compared with the tshark reading stored next to it
// (always) and with a live tshark run (when installed, which also checks the stored reading).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LinkType, openTrace, PacketFlag } from '../../src/trace/index.js';
import { type Comparable, ourPackets, tsharkPackets } from './compare.js';
import { FIXTURES, readAll } from './helpers.js';
import { type TsharkFrame, tsharkAvailable, tsharkSync } from './tshark.js';

const captures = readdirSync(FIXTURES)
  .filter((f) => !f.endsWith('.json'))
  .sort();
const haveTshark = tsharkAvailable();
if (!haveTshark)
  console.warn('trace fixtures: tshark not installed: only the stored tshark readings are used');

function stored(name: string): TsharkFrame[] {
  const frames = JSON.parse(readFileSync(join(FIXTURES, `${name}.tshark.json`), 'utf8')) as (Omit<
    TsharkFrame,
    'timeNs'
  > & { timeNs?: string })[];
  return frames.map((f) => ({ ...f, timeNs: f.timeNs === undefined ? undefined : BigInt(f.timeNs) }));
}

const read = (name: string, chunkSize?: number) => readAll(join(FIXTURES, name), { chunkSize });

describe('trace fixtures against tshark', () => {
  it('has fixtures', () => expect(captures.length).toBeGreaterThanOrEqual(17));

  describe.each(captures)('%s', (name) => {
    it('matches the stored tshark reading, whatever the chunk size', () => {
      for (const chunkSize of [undefined, 64, 100, 1000]) {
        const ours = read(name, chunkSize);
        const expected: Comparable[] = tsharkPackets(stored(name), ours.summary.format === 'pcapng');
        expect(ourPackets(ours, expected)).toEqual(expected);
        expect(ours.summary.problems.stopped).toBe(false);
      }
    });

    it.skipIf(!haveTshark)('stored reading is what tshark prints', () => {
      const live = tsharkSync(join(FIXTURES, name));
      expect(live.status).toBe(0);
      expect(live.frames).toEqual(stored(name));
    });
  });
});

describe('trace fixture details', () => {
  it.each([
    ['eth-usec-le.pcap', LinkType.Ethernet, true, false],
    ['eth-usec-be.pcap', LinkType.Ethernet, false, false],
    ['eth-nsec-be.pcap', LinkType.Ethernet, false, true],
    ['eth-editcap-nsec.pcap', LinkType.Ethernet, true, true],
    ['raw-nsec-le.pcap', LinkType.Raw, true, true],
    ['raw-usec-be.pcap', LinkType.Raw, false, false],
    ['ipv4-usec-le.pcap', LinkType.Ipv4, true, false],
    ['rawip4-editcap.pcap', LinkType.Ipv4, true, false],
    ['ipv6-nsec-be.pcap', LinkType.Ipv6, false, true],
    ['sll-usec-le.pcap', LinkType.LinuxSll, true, false],
    ['sll2-nsec-be.pcap', LinkType.LinuxSll2, false, true],
  ] as const)('%s: link type %i, little-endian %s, nanosecond %s', (name, linkType, le, ns) => {
    const { packets, summary } = read(name);
    expect(summary.format).toBe('pcap');
    expect(summary.pcapHeader).toMatchObject({ littleEndian: le, nanosecond: ns, linkType, versionMajor: 2 });
    expect(packets.every((p) => p.linkType === linkType && p.interfaceName === undefined)).toBe(true);
    expect(summary.problems.total).toBe(0);
  });

  it('scapy wrote nanoseconds exactly; microsecond files round them (scapy rounds)', () => {
    const ns = read('eth-nsec-be.pcap').packets.map((p) => p.timestampNs);
    const us = read('eth-usec-le.pcap').packets.map((p) => p.timestampNs);
    expect(ns).toEqual([0n, 1n, 2n, 3n, 4n].map((i) => 1700000000123456789n + i * 1001n));
    expect(us).toEqual(ns.map((t) => ((t! + 500n) / 1000n) * 1000n));
  });

  it('counts snaplen-cut packets and keeps them', () => {
    for (const name of ['eth-snaplen40.pcap', 'eth-snaplen40.pcapng']) {
      const { packets, summary } = read(name);
      const cut = packets.filter((p) => p.capturedLength < p.originalLength);
      expect(cut.length).toBeGreaterThan(0);
      expect(summary.problems.counts['snaplen-cut']).toBe(cut.length);
      expect(summary.problems.first[0]).toMatchObject({ kind: 'snaplen-cut', offset: cut[0]!.fileOffset });
      expect(summary.problems.stopped).toBe(false);
    }
  });

  it('mergecap: one interface per input, each with its link type', () => {
    const { packets, summary } = read('merged.pcapng');
    expect(summary.interfaces.map((i) => i.linkType)).toEqual([
      LinkType.Ethernet,
      LinkType.Raw,
      LinkType.LinuxSll,
      LinkType.LinuxSll2,
    ]);
    expect(packets).toHaveLength(12);
    // mergecap interleaves by time.
    const times = packets.map((p) => p.timestampNs!);
    expect([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(times);
  });

  it.each(['edge-le.pcapng', 'edge-be.pcapng'])(
    '%s: options, resolutions, SPB, OPB, two sections',
    (name) => {
      const le = name.includes('-le');
      const { packets, summary } = read(name, 64);
      expect(summary.sections).toBe(2);
      expect(
        summary.interfaces.map((i) => [i.section, i.sectionIndex, i.name, i.description, i.littleEndian]),
      ).toEqual([
        [0, 0, 'eth0', 'first port', le],
        [0, 1, 'wg0', undefined, le],
        [0, 2, undefined, 'description only', le],
        [1, 0, 'eth1', undefined, !le],
      ]);
      expect(summary.interfaces.map((i) => [i.resolution, i.offsetSeconds, i.snapLength])).toEqual([
        [{ base: 10, exponent: 9 }, 0n, 0],
        [{ base: 10, exponent: 3 }, 1000n, 64],
        [{ base: 2, exponent: 20 }, 0n, 0],
        [{ base: 10, exponent: 6 }, 0n, 0],
      ]);
      expect(packets.map((p) => [p.interfaceName, p.linkType, p.timestampNs])).toEqual([
        ['eth0', LinkType.Ethernet, 1700000000123456789n],
        ['wg0', LinkType.Raw, 1700001000123000000n],
        [undefined, LinkType.Ethernet, 1700000000011773109n],
        ['eth0', LinkType.Ethernet, undefined], // Simple Packet Block: no timestamp
        ['wg0', LinkType.Raw, 1700001001000000000n],
        ['eth1', LinkType.Ethernet, 1700000002000000000n], // section 2 numbers its interfaces from 0
      ]);
      expect(packets[0]!.comments).toEqual(['filter FORWARD #4 ACCEPT rules.v4:17']);
      expect(packets[0]!.epbFlags).toBe(2);
      expect(packets[1]!.comments).toEqual([]);
      // Counted: the 20-of-100-byte packet, and the 34-of-1514 one.
      expect(summary.problems.counts).toEqual({ 'snaplen-cut': 2 });
    },
  );

  it('SPB packets are flagged in batches', () => {
    let flagged = 0;
    const reader = readAll(join(FIXTURES, 'edge-le.pcapng'));
    expect(reader.packets.filter((p) => p.timestampNs === undefined)).toHaveLength(1);
    openTrace(join(FIXTURES, 'edge-le.pcapng')).readSync((b) => {
      for (let i = 0; i < b.count; i++) if (b.flags[i]! & PacketFlag.NoTimestamp) flagged++;
    });
    expect(flagged).toBe(1);
  });
});
