// Damaged input: bad magic, truncation, lying lengths, random mutation. The reader must never
// throw or hang, must count what it met, and must give the same result whatever the chunk and
// batch sizes (blocks spanning chunk boundaries).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTraceProblems, traceFromBytes } from '../../src/trace/index.js';
import { FIXTURES, hex, readAll } from './helpers.js';

/**
 * Fuzzing depth: the CI run keeps the counts below; `NFWASM_FUZZ=long npx vitest run
 * test/trace/robustness.test.ts` runs 100 times as many (over 10^5 mutated files).
 */
const DEPTH = process.env.NFWASM_FUZZ === 'long' ? 100 : 1;

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));
const SEEDS = [
  'eth-usec-le.pcap',
  'eth-nsec-be.pcap',
  'merged.pcapng',
  'edge-le.pcapng',
  'edge-be.pcapng',
].map((n) => [n, fixture(n)] as const);

/** Everything observable about a reading, for comparing two readings. */
function observe(bytes: Uint8Array, chunkSize?: number, batchCapacity?: number) {
  const { packets, summary } = readAll(bytes, { chunkSize, batchCapacity });
  for (const p of packets) {
    expect(p.data.length).toBe(p.capturedLength);
    expect(p.fileOffset).toBeGreaterThanOrEqual(0);
    expect(p.fileOffset).toBeLessThan(bytes.length);
  }
  return {
    packets: packets.map((p) => [
      p.interfaceIndex,
      p.timestampNs,
      p.originalLength,
      hex(p.data),
      p.comments,
      p.fileOffset,
    ]),
    problems: summary.problems,
    interfaces: summary.interfaces,
  };
}

describe('damaged traces', () => {
  it('bad magic: nothing read, reported', () => {
    const { packets, summary } = readAll(new TextEncoder().encode('This is not a capture file at all'));
    expect(packets).toEqual([]);
    expect(summary.format).toBeUndefined();
    expect(summary.problems).toMatchObject({ total: 1, counts: { 'bad-magic': 1 }, stopped: true });
  });

  it('empty and tiny files', () => {
    expect(readAll(new Uint8Array(0)).summary.problems.counts).toEqual({ truncated: 1 });
    expect(readAll(Uint8Array.of(0xd4, 0xc3)).summary.problems.counts).toEqual({ truncated: 1 });
    expect(readAll(fixture('eth-usec-le.pcap').subarray(0, 20)).summary.problems.counts).toEqual({
      truncated: 1,
    });
  });

  it.each(SEEDS)('%s truncated at every length: the complete packets, then one truncation', (_n, bytes) => {
    const full = observe(bytes).packets;
    for (let cut = 24; cut < bytes.length; cut += 3) {
      const r = observe(bytes.subarray(0, cut), 64);
      expect(full.slice(0, r.packets.length)).toEqual(r.packets);
      const atBoundary = r.problems.counts.truncated === undefined;
      if (!atBoundary) expect(r.problems.counts.truncated).toBe(1);
    }
  });

  it('pcapng block whose trailing length lies: stops there, packets before it kept', () => {
    const bytes = fixture('edge-le.pcapng').slice();
    const view = new DataView(bytes.buffer);
    // Find the second EPB and corrupt its trailing length.
    let pos = 0;
    let epbs = 0;
    while (pos < bytes.length) {
      const type = view.getUint32(pos, true);
      const length = view.getUint32(pos + 4, true);
      if (type === 6 && ++epbs === 2) {
        view.setUint32(pos + length - 4, length + 4, true);
        break;
      }
      pos += length;
    }
    const { packets, summary } = readAll(bytes);
    expect(packets).toHaveLength(1);
    expect(summary.problems).toMatchObject({ counts: { 'length-mismatch': 1 }, stopped: true });
    expect(summary.problems.first.find((p) => p.kind === 'length-mismatch')?.offset).toBe(pos);
  });

  it('pcapng block length that is huge, odd or tiny: stops without reading it', () => {
    const base = fixture('edge-le.pcapng');
    for (const bad of [0xfffffff0, 0x7fffffff, 13, 8]) {
      const bytes = base.slice();
      new DataView(bytes.buffer).setUint32(new DataView(bytes.buffer).getUint32(4, true) + 4, bad, true);
      const { summary } = readAll(bytes);
      expect(summary.problems.counts['bad-length']).toBe(1);
      expect(summary.problems.stopped).toBe(true);
    }
  });

  it('pcap record length that lies: stops, earlier packets kept', () => {
    const bytes = fixture('eth-usec-le.pcap').slice();
    const view = new DataView(bytes.buffer);
    const second = 24 + 16 + view.getUint32(24 + 8, true);
    view.setUint32(second + 8, 0x40000000, true);
    const { packets, summary } = readAll(bytes);
    expect(packets).toHaveLength(1);
    expect(summary.problems.first[0]).toMatchObject({ kind: 'bad-length', offset: second });
    expect(formatTraceProblems(summary.problems)).toContain('bad-length: 1');
  });

  it('EPB on an undeclared interface, captured length past its block: dropped and counted', () => {
    const bytes = fixture('edge-le.pcapng').slice();
    const view = new DataView(bytes.buffer);
    let pos = 0;
    let epbs = 0;
    while (pos < bytes.length) {
      const type = view.getUint32(pos, true);
      const length = view.getUint32(pos + 4, true);
      if (type === 6) {
        epbs++;
        if (epbs === 1) view.setUint32(pos + 8, 9, true);
        if (epbs === 2) view.setUint32(pos + 20, length, true);
      }
      pos += length;
    }
    const { packets, summary } = readAll(bytes);
    expect(packets).toHaveLength(4);
    expect(summary.problems.counts).toMatchObject({ 'unknown-interface': 1, 'packet-exceeds-block': 1 });
    expect(summary.problems.stopped).toBe(false);
  });

  it('same result for every chunk and batch size', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 20 }),
        ([, bytes], chunkSize, batchCapacity) => {
          expect(observe(bytes, chunkSize, batchCapacity)).toEqual(observe(bytes));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fuzz: mutated files never throw, always end, count problems, and do not depend on chunking', () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('byte' as const),
        at: fc.nat(),
        value: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({
        kind: fc.constant('word' as const),
        at: fc.nat(),
        value: fc.integer({ min: 0, max: 0xffffffff }),
      }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 300 }),
        ([, seed], mutations, chunkSize) => {
          let bytes = seed.slice();
          for (const m of mutations) {
            const at = m.at % bytes.length;
            if (m.kind === 'byte') bytes[at] = m.value;
            else if (m.kind === 'word' && at + 4 <= bytes.length)
              new DataView(bytes.buffer, bytes.byteOffset).setUint32(at & ~3, m.value, true);
            else if (m.kind === 'cut') bytes = bytes.subarray(0, at);
          }
          const whole = observe(bytes);
          expect(observe(bytes, chunkSize, 3)).toEqual(whole);
          expect(whole.problems.first.length).toBeLessThanOrEqual(10);
          expect(whole.problems.total).toBeGreaterThanOrEqual(whole.problems.first.length);
          // At most one packet per 16 bytes (the smallest pcap record).
          expect(whole.packets.length).toBeLessThanOrEqual(bytes.length / 16);
        },
      ),
      { numRuns: 1500 * DEPTH },
    );
  });

  it('fuzz: random bytes after a valid header', () => {
    const headers = [fixture('eth-usec-le.pcap').subarray(0, 24), fixture('edge-be.pcapng').subarray(0, 48)];
    fc.assert(
      fc.property(fc.constantFrom(...headers), fc.uint8Array({ maxLength: 2000 }), (head, tail) => {
        const bytes = new Uint8Array(head.length + tail.length);
        bytes.set(head);
        bytes.set(tail, head.length);
        const r = traceFromBytes(bytes, { chunkSize: 64 });
        let n = 0;
        r.readSync((b) => {
          n += b.count;
        });
        expect(n).toBeLessThanOrEqual(bytes.length / 16);
      }),
      { numRuns: 1000 * DEPTH },
    );
  });
});
