// Hashing for the path's caches: MurmurHash3's 32-bit block step and finaliser. A hash built
// by multiplying key words in (h = (h ^ w) * c) only moves bits upwards, so two words that vary
// in the same high bits (a peer's address byte and a port byte that both follow a flow number)
// can cancel out and crowd a few sets; the rotations here feed every bit into every other.
// fmix32 is also splitmix32's output function (conntrack/prng.ts).

export function fmix32(z: u32): u32 {
  z = (z ^ (z >>> 16)) * 0x85ebca6b;
  z = (z ^ (z >>> 13)) * 0xc2b2ae35;
  return z ^ (z >>> 16);
}

/** MurmurHash3's step for one 32-bit word `w` into the running hash `h`. */
export function hashWord(h: u32, w: u32): u32 {
  const k = rotl<u32>(w * 0xcc9e2d51, 15) * 0x1b873593;
  h = rotl<u32>(h ^ k, 13);
  return h * 5 + 0xe6546b64;
}
