// The decoder on hostile input: random bytes, every truncation and single-byte corruption of the
// reference packets, and real captures. It must never throw, and every error names a reason and
// a layer.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DecodedPacket,
  type DecodeError,
  decodePacket,
  formatPacketSummary,
  isDecodeError,
  type LinkType,
} from '../../src/wire/packet.js';
import {
  rejectIcmpUnreach4,
  rejectIcmpUnreach6,
  rejectTcpReset4,
  rejectTcpReset6,
} from '../../src/wire/reject.js';
import { hex, scapyPackets } from './fixtures.js';

const LINKS: LinkType[] = ['ethernet', 'raw-ipv4', 'raw-ipv6', 'linux-sll'];
const LAYERS = ['link', 'ipv4', 'ipv6', 'tcp', 'udp', 'icmp', 'icmpv6'];

function sane(d: DecodedPacket | DecodeError, len: number): void {
  if (isDecodeError(d)) {
    expect(d.error.length).toBeGreaterThan(0);
    expect(LAYERS).toContain(d.layer);
    return;
  }
  expect(d.length).toBe(len);
  expect(d.l3Offset + d.ipLength).toBeLessThanOrEqual(len);
  expect(d.l4Offset).toBeLessThanOrEqual(len);
  expect(d.payloadLength).toBeGreaterThanOrEqual(0);
  expect(formatPacketSummary(d).length).toBeGreaterThan(0);
}

describe('decoder fuzzing', () => {
  it('random bytes on every link type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(...LINKS), (b, link) => {
        sane(decodePacket(b, link), b.length);
      }),
      { numRuns: 20000 },
    );
  });

  it('random bytes behind a valid IP version nibble', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 120 }), fc.boolean(), (b, v6) => {
        b[0] = v6 ? 0x60 | (b[0]! & 0x0f) : 0x45;
        sane(decodePacket(b, v6 ? 'raw-ipv6' : 'raw-ipv4'), b.length);
        rejectTcpReset4(b, 0);
        rejectIcmpUnreach4(b, 0, 3);
        rejectTcpReset6(b, 0);
        rejectIcmpUnreach6(b, 0, 4);
      }),
      { numRuns: 20000 },
    );
  });

  for (const p of scapyPackets()) {
    it(`every truncation and corruption of ${p.name}`, () => {
      const full = hex(p.hex);
      for (let n = 0; n < full.length; n++) {
        const d = decodePacket(full.subarray(0, n), p.link);
        sane(d, n);
      }
      // The headers (first 80 bytes): each byte set to a few values.
      for (let i = 0; i < Math.min(full.length, 80); i++) {
        for (const v of [0, 0xff, full[i]! ^ 0x80, full[i]! + 1]) {
          const b = full.slice();
          b[i] = v;
          sane(decodePacket(b, p.link), b.length);
        }
      }
    });
  }

  it('a truncated datagram names its layer', () => {
    const syn = hex(scapyPackets().find((p) => p.name === 'tcp-syn-options')!.hex);
    expect(decodePacket(syn.subarray(0, 10), 'ethernet')).toEqual({
      error: 'ethernet header truncated (10 of 14 bytes)',
      layer: 'link',
    });
    expect(decodePacket(syn.subarray(0, 30), 'ethernet')).toEqual({
      error: 'ipv4 header truncated (16 of 20 bytes)',
      layer: 'ipv4',
    });
    expect(decodePacket(syn.subarray(0, 60), 'ethernet')).toEqual({
      error: 'ipv4 datagram truncated (total length 60, 46 bytes present)',
      layer: 'ipv4',
    });
    const badOff = syn.slice();
    badOff[14 + 20 + 12] = 0x40;
    expect(decodePacket(badOff, 'ethernet')).toEqual({ error: 'tcp data offset 4 < 5', layer: 'tcp' });
  });
});

// Real traffic: a throw-away pcap reader (classic pcap only; the project's reader is elsewhere).
function* pcapPackets(file: string): Generator<{ link: LinkType; bytes: Uint8Array }> {
  const b = readFileSync(file);
  if (b.length < 24) return;
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = b.readUInt32BE(0) === 0xa1b2c3d4 || b.readUInt32BE(0) === 0xa1b23c4d;
  if (!le && !be) return;
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const links: Record<number, LinkType> = {
    1: 'ethernet',
    101: 'raw-ipv4',
    228: 'raw-ipv4',
    229: 'raw-ipv6',
    113: 'linux-sll',
  };
  const link = links[u32(20) & 0xffff];
  if (!link) return;
  for (let o = 24; o + 16 <= b.length; ) {
    const caplen = u32(o + 8);
    if (o + 16 + caplen > b.length) return;
    yield { link, bytes: new Uint8Array(b.subarray(o + 16, o + 16 + caplen)) };
    o += 16 + caplen;
  }
}

function pcapFiles(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) pcapFiles(p, out);
    else if (/\.(pcap|cap|dump)$/.test(n) && statSync(p).size < 5_000_000) out.push(p);
  }
  return out;
}

describe('corpus captures', () => {
  const files = pcapFiles('/work/shared/corpus/pcaps');
  it.skipIf(files.length === 0)('decode without throwing; IP packets mostly decode', () => {
    let ok = 0;
    let total = 0;
    for (const f of files) {
      for (const { link, bytes } of pcapPackets(f)) {
        const d = decodePacket(bytes, link);
        sane(d, bytes.length);
        total++;
        if (!isDecodeError(d)) ok++;
        if (total >= 200_000) break;
      }
    }
    expect(total).toBeGreaterThan(1000);
    // Many captures hold non-IP frames and snapped packets; this is a sanity bound, not a spec.
    expect(ok / total).toBeGreaterThan(0.3);
  });
});
