// The writers: what we write, tshark reads back with the same names, comments, times and bytes;
// and our reader reads it back identically.

import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LinkType, MemorySink, PcapngWriter, PcapWriter, StreamSink } from '../../src/trace/index.js';
import { hex, readAll } from './helpers.js';
import { tsharkAvailable, tsharkSync } from './tshark.js';

const haveTshark = tsharkAvailable();
if (!haveTshark) console.warn('trace writer: tshark not installed: tshark read-back skipped');
const dir = mkdtempSync(join(tmpdir(), 'nfwasm-trace-'));

const ETH = Uint8Array.from([
  2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 20, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10,
  0, 0, 2,
]);
const IP = ETH.subarray(14);
const COMMENTS = [
  'filter FORWARD #4 ACCEPT rules.v4:17',
  'nat PREROUTING #1 DNAT --to-destination 172.17.0.2:8080 rules.v4:9',
  'raw PREROUTING policy ACCEPT; «unicode» ✓',
  '',
];

function frameFields(file: string, fields: string[]): string[][] {
  const r = spawnSync(
    'tshark',
    ['-r', file, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])],
    {
      encoding: 'utf8',
    },
  );
  expect(r.status).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('|'));
}

function writeSample(
  path: string,
  bufferSize?: number,
): { packets: { iface: string; ts: bigint; data: Uint8Array; comment: string }[] } {
  const w = PcapngWriter.toFile(path, { bufferSize });
  const packets: { iface: string; ts: bigint; data: Uint8Array; comment: string }[] = [];
  for (let i = 0; i < 50; i++) {
    const iface = ['eth0', 'docker0', 'wg0'][i % 3]!;
    const data = iface === 'wg0' ? IP : ETH.subarray(0, 14 + ((i * 7) % 21));
    const ts = 1700000000000000000n + BigInt(i) * 1_000_000_007n;
    const comment = COMMENTS[i % COMMENTS.length]!;
    w.writePacket(w.interfaceFor(iface, iface === 'wg0' ? LinkType.Raw : LinkType.Ethernet), ts, data, {
      comment,
    });
    packets.push({ iface, ts, data, comment });
  }
  void w.close();
  return { packets };
}

describe('PcapngWriter', () => {
  it('is read back by our reader exactly', () => {
    const path = join(dir, 'sample.pcapng');
    const { packets } = writeSample(path, 256); // small buffer: many flushes
    const back = readAll(path);
    expect(back.summary.problems.total).toBe(0);
    expect(back.summary.interfaces.map((i) => [i.name, i.linkType, i.resolution.exponent])).toEqual([
      ['eth0', LinkType.Ethernet, 9],
      ['docker0', LinkType.Ethernet, 9],
      ['wg0', LinkType.Raw, 9],
    ]);
    expect(back.packets.map((p) => [p.interfaceName, p.timestampNs, hex(p.data), p.comments])).toEqual(
      packets.map((p) => [p.iface, p.ts, hex(p.data), [p.comment]]),
    );
  });

  it.skipIf(!haveTshark)('tshark shows the interface names and comments exactly', () => {
    const path = join(dir, 'tshark.pcapng');
    const { packets } = writeSample(path);
    const rows = frameFields(path, [
      'frame.interface_name',
      'frame.comment',
      'frame.time_epoch',
      'frame.len',
    ]);
    expect(rows).toEqual(
      packets.map((p) => [
        p.iface,
        p.comment,
        `${p.ts / 1_000_000_000n}.${(p.ts % 1_000_000_000n).toString().padStart(9, '0')}`,
        String(p.data.length),
      ]),
    );
    const live = tsharkSync(path);
    expect(live.frames.map((f) => f.hex)).toEqual(packets.map((p) => hex(p.data)));
  });

  it('writes original length, direction, several interfaces of one name', async () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    const a = w.interfaceFor('eth0');
    const b = w.interfaceFor('eth0', LinkType.Raw);
    expect(w.interfaceFor('eth0')).toBe(a);
    w.writePacket(b, 0n, IP, { originalLength: 1500, direction: 'outbound' });
    w.writePacket(a, 1n, ETH, { direction: 'inbound', comment: 'x' });
    await w.close();
    const back = readAll(sink.bytes());
    expect(back.packets.map((p) => [p.interfaceIndex, p.originalLength, p.epbFlags, p.comments])).toEqual([
      [1, 1500, 2, []],
      [0, ETH.length, 1, ['x']],
    ]);
    expect(() => w.writePacket(7, 0n, IP)).toThrow(RangeError);
    expect(() => w.writePacket(a, -1n, IP)).toThrow(RangeError);
  });

  it('streams to a Node writable with backpressure', async () => {
    const path = join(dir, 'stream.pcapng');
    const w = new PcapngWriter(new StreamSink(createWriteStream(path)), { bufferSize: 1024 });
    const id = w.interfaceFor('veth1');
    for (let i = 0; i < 5000; i++) {
      w.writePacket(id, BigInt(i), ETH, { comment: `#${i % 10}` });
      if (i % 500 === 0) await w.drain();
    }
    await w.close();
    const back = readAll(path);
    expect(back.packets).toHaveLength(5000);
    expect(back.packets[4999]!.comments).toEqual(['#9']);
    expect(back.summary.problems.total).toBe(0);
  });

  it('handles a packet larger than the buffer', async () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink, { bufferSize: 64 });
    const big = new Uint8Array(9000).map((_, i) => i & 0xff);
    w.writePacket(w.interfaceFor('jumbo0'), 5n, big);
    w.writePacket(w.interfaceFor('jumbo0'), 6n, ETH);
    await w.close();
    const back = readAll(sink.bytes(), { chunkSize: 100 });
    expect(back.packets.map((p) => hex(p.data))).toEqual([hex(big), hex(ETH)]);
  });
});

describe('PcapWriter', () => {
  it.each([
    [true, false],
    [false, false],
    [true, true],
    [false, true],
  ])('nanosecond %s, big-endian %s: read back by us and by tshark', async (nanosecond, bigEndian) => {
    const path = join(dir, `out-${nanosecond}-${bigEndian}.pcap`);
    const w = PcapWriter.toFile(path, { nanosecond, bigEndian, linkType: LinkType.Raw });
    const stamps = [1700000000123456789n, 1700000001000000001n, 5n];
    for (const ts of stamps) w.writePacket(ts, IP, 60);
    await w.close();
    const expected = stamps.map((t) => (nanosecond ? t : (t / 1000n) * 1000n));
    const back = readAll(path);
    expect(back.summary.pcapHeader).toMatchObject({
      nanosecond,
      littleEndian: !bigEndian,
      linkType: LinkType.Raw,
    });
    expect(back.packets.map((p) => [p.timestampNs, p.capturedLength, p.originalLength])).toEqual(
      expected.map((t) => [t, IP.length, 60]),
    );
    if (haveTshark) {
      const live = tsharkSync(path);
      expect(live.frames.map((f) => [f.timeNs, f.capturedLength, f.length, f.hex])).toEqual(
        expected.map((t) => [t, IP.length, 60, hex(IP)]),
      );
    }
    expect(readFileSync(path).subarray(0, 4).toString('hex')).toBe(
      {
        'true,false': '4d3cb2a1',
        'false,false': 'd4c3b2a1',
        'true,true': 'a1b23c4d',
        'false,true': 'a1b2c3d4',
      }[`${nanosecond},${bigEndian}`],
    );
  });

  it('refuses timestamps outside the 32-bit seconds range', () => {
    const w = new PcapWriter(new MemorySink());
    expect(() => w.writePacket(-1n, IP)).toThrow(RangeError);
    expect(() => w.writePacket(1n << 62n, IP)).toThrow(RangeError);
  });
});
