// The allocation-free 64-bit timestamp arithmetic against plain bigint arithmetic.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PACKET_TIME_MAX, PACKET_TIME_MIN } from '../../src/engine/packet-time.js';
import { TimestampScale } from '../../src/trace/timestamp.js';

function viaScale(scale: TimestampScale, units: bigint): { ns: bigint; ok: boolean } {
  const ts = new BigInt64Array(3);
  const words = new Uint32Array(ts.buffer);
  const ok = scale.storeUnits(Number(units >> 32n), Number(units & 0xffffffffn), words, ts, 1);
  return { ns: ts[1]!, ok };
}

function reference(base: 10 | 2, exponent: number, offset: bigint, units: bigint): bigint {
  const ns = (units * 1_000_000_000n) / BigInt(base) ** BigInt(exponent) + offset * 1_000_000_000n;
  return ns > PACKET_TIME_MAX ? PACKET_TIME_MAX : ns < PACKET_TIME_MIN ? PACKET_TIME_MIN : ns;
}

describe('TimestampScale', () => {
  it('pcapng units: exact for every resolution and offset, saturating at the packet time range', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<10 | 2>(10, 2),
        fc.integer({ min: 0, max: 40 }),
        fc.oneof(
          fc.constant(0n),
          fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }),
          // Offsets that put times next to either end of the range, or past it.
          fc.bigInt({ min: 4_600_000_000n, max: 4_620_000_000n }),
          fc.bigInt({ min: -9_300_000_000n, max: -4_600_000_000n }),
          fc.bigInt({ min: 9_200_000_000n, max: 9_223_372_036n }),
        ),
        fc.oneof(
          fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          fc.bigInt({ min: 0n, max: 1n << 52n }),
          fc.bigInt({ min: 0n, max: 1n << 33n }),
        ),
        (base, exponent, offset, units) => {
          const { ns, ok } = viaScale(new TimestampScale({ base, exponent }, offset), units);
          const want = reference(base, exponent, offset, units);
          expect(ns).toBe(want);
          if (ok)
            expect(want).toBe(
              (units * 1_000_000_000n) / BigInt(base) ** BigInt(exponent) + offset * 1_000_000_000n,
            );
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('classic pcap seconds and fraction', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.boolean(),
        (s, f, nano) => {
          const scale = new TimestampScale({ base: 10, exponent: nano ? 9 : 6 });
          const ts = new BigInt64Array(1);
          scale.storeSecondsFraction(s, f, new Uint32Array(ts.buffer), 0);
          expect(ts[0]).toBe(BigInt(s) * 1_000_000_000n + BigInt(f) * (nano ? 1n : 1000n));
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('known values', () => {
    const us = new TimestampScale({ base: 10, exponent: 6 });
    expect(viaScale(us, 1340954905298858n).ns).toBe(1340954905298858000n);
    const pow2 = new TimestampScale({ base: 2, exponent: 20 });
    expect(viaScale(pow2, (1700000000n << 20n) + 12345n).ns).toBe(1700000000011773109n);
    const negative = new TimestampScale({ base: 10, exponent: 9 }, -1700000000n);
    expect(viaScale(negative, 5n).ns).toBe(5n - 1700000000000000000n);
  });
});
