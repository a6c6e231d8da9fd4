// The engines' random source: every draw is a function of (run seed, the packet's index in the
// trace, the draw's number within that packet), so a packet draws the same numbers whichever
// worker, batch or engine runs it (replay --workers). The generator is reseeded from
// packetSeed(seed, index) on the packet's first draw only: packets that draw nothing pay nothing.
// assembly/conntrack/prng.ts does the same, bit for bit.

import { fmix32, type Prng, Xoshiro128ss } from './prng.js';

/**
 * The seed of packet `index`'s draws: fmix32 chained over the run seed and the index's low and
 * high 32-bit words (indexes are below 2^53).
 */
export function packetSeed(seed: number, index: number): number {
  const lo = index >>> 0;
  const hi = Math.floor(index / 0x1_0000_0000) >>> 0;
  let h = fmix32((seed ^ 0x6a09e667) >>> 0);
  h = fmix32((h ^ lo) >>> 0);
  return fmix32(((h ^ hi) + 0x9e3779b9) >>> 0);
}

export class PacketRandom implements Prng {
  private readonly generator = new Xoshiro128ss(0);
  private index = 0;
  private seeded = false;

  constructor(readonly seed: number) {}

  /** The next draws belong to packet `index` (its 1-based number in the trace). */
  beginPacket(index: number): void {
    this.index = index;
    this.seeded = false;
  }

  nextU32(): number {
    if (!this.seeded) {
      this.generator.reseed(packetSeed(this.seed, this.index));
      this.seeded = true;
    }
    return this.generator.nextU32();
  }
}
