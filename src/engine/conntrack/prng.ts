// The seeded pseudo-random generator behind every random choice the kernel makes in NAT
// (get_random_u16() in nf_nat_l4proto_unique_tuple). A run is reproducible from its seed.
//
// Algorithm (chosen so AssemblyScript can reproduce it with plain u32 arithmetic):
// - seeding: the 32-bit seed drives splitmix32 (a Weyl sequence, step 0x9e3779b9, finished
//   by MurmurHash3's fmix32), whose first four outputs are xoshiro128**'s state words; an
//   all-zero state (impossible in practice) is replaced by 1, 0, 0, 0;
// - output: xoshiro128** (Blackman & Vigna 2018): r = rotl(s1 * 5, 7) * 9, then the state
//   steps with t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11).
// - u16 draws are the low 16 bits of one u32 draw.

/** Anything that yields uniformly distributed 32-bit words; the engine may pass its own. */
export interface Prng {
  /** Next word, 0 ≤ n < 2^32. */
  nextU32(): number;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** splitmix32's output function: fmix32 of the Weyl sequence value. */
export function fmix32(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Xoshiro128ss implements Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    this.s0 = 1;
    this.s1 = this.s2 = this.s3 = 0;
    this.reseed(seed);
  }

  /** Restarts the generator as `new Xoshiro128ss(seed)` would, without allocating. */
  reseed(seed: number): void {
    let weyl = seed >>> 0;
    const next = (): number => {
      weyl = (weyl + 0x9e3779b9) >>> 0;
      return fmix32(weyl);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** The four state words, e.g. to save and resume a run. */
  state(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }
}

/** get_random_u16(): one draw, low 16 bits. */
export function randomU16(prng: Prng): number {
  return prng.nextU32() & 0xffff;
}
