// The seeded xoshiro128** generator behind NAT's random draws (Xoshiro128ss and randomU16,
// src/engine/conntrack/prng.ts; get_random_u16() in nf_nat_l4proto_unique_tuple), bit for bit:
// splitmix32 seeding (Weyl step 0x9e3779b9, fmix32), an all-zero state replaced by 1, 0, 0, 0,
// output rotl(s1 * 5, 7) * 9. One generator, in globals; nothing allocates.
// The engine's draws are per packet (PacketRandom, src/engine/conntrack/packet-random.ts):
// prngBeginPacket marks a packet, and its first draw reseeds from packetSeed(seed, index).

import { fmix32 } from '../hash-mix';

let s0: u32 = 1;
let s1: u32 = 0;
let s2: u32 = 0;
let s3: u32 = 0;
let weyl: u32 = 0;
/** The run's seed, which per-packet seeds derive from. */
let runSeed: u32 = 0;
/** A packet began and has not drawn yet. */
let pending: bool = false;
let indexLo: u32 = 0;
let indexHi: u32 = 0;

/** splitmix32's output function: fmix32 of the next Weyl sequence value. */
function splitmixNext(): u32 {
  weyl += 0x9e3779b9;
  return fmix32(weyl);
}

/** new Xoshiro128ss(seed); also the run's seed for per-packet draws. */
export function prngSeed(seed: u32): void {
  runSeed = seed;
  pending = false;
  reseed(seed);
}

/** PacketRandom.beginPacket: the next draws belong to packet `hi << 32 | lo`. */
export function prngBeginPacket(lo: u32, hi: u32): void {
  indexLo = lo;
  indexHi = hi;
  pending = true;
}

/** packetSeed(seed, index) of packet-random.ts. */
function packetSeed(seed: u32, lo: u32, hi: u32): u32 {
  let h = fmix32(seed ^ 0x6a09e667);
  h = fmix32(h ^ lo);
  return fmix32((h ^ hi) + 0x9e3779b9);
}

function reseed(seed: u32): void {
  weyl = seed;
  s0 = splitmixNext();
  s1 = splitmixNext();
  s2 = splitmixNext();
  s3 = splitmixNext();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
}

/** Xoshiro128ss.nextU32. */
export function prngNextU32(): u32 {
  if (pending) {
    pending = false;
    reseed(packetSeed(runSeed, indexLo, indexHi));
  }
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<u32>(s3, 11);
  return result;
}

/** randomU16 (get_random_u16): low 16 bits of one draw. */
export function randomU16(): u32 {
  return prngNextU32() & 0xffff;
}
