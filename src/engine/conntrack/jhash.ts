// Bob Jenkins' lookup3 hash as the kernel's jhash2() computes it (include/linux/jhash.h), and
// reciprocal_scale() (include/linux/math.h), which maps a hash onto [0, n).

function rol32(w: number, s: number): number {
  return ((w << s) | (w >>> (32 - s))) >>> 0;
}

const JHASH_INITVAL = 0xdeadbeef;

/** jhash2(k, length, initval): hash of 32-bit words. */
export function jhash2(words: readonly number[], initval: number): number {
  let a = (JHASH_INITVAL + (words.length << 2) + initval) >>> 0;
  let b = a;
  let c = a;
  let i = 0;
  let left = words.length;
  while (left > 3) {
    a = (a + words[i]!) >>> 0;
    b = (b + words[i + 1]!) >>> 0;
    c = (c + words[i + 2]!) >>> 0;
    // __jhash_mix
    a = (a - c) >>> 0;
    a = (a ^ rol32(c, 4)) >>> 0;
    c = (c + b) >>> 0;
    b = (b - a) >>> 0;
    b = (b ^ rol32(a, 6)) >>> 0;
    a = (a + c) >>> 0;
    c = (c - b) >>> 0;
    c = (c ^ rol32(b, 8)) >>> 0;
    b = (b + a) >>> 0;
    a = (a - c) >>> 0;
    a = (a ^ rol32(c, 16)) >>> 0;
    c = (c + b) >>> 0;
    b = (b - a) >>> 0;
    b = (b ^ rol32(a, 19)) >>> 0;
    a = (a + c) >>> 0;
    c = (c - b) >>> 0;
    c = (c ^ rol32(b, 4)) >>> 0;
    b = (b + a) >>> 0;
    left -= 3;
    i += 3;
  }
  if (left === 0) return c;
  if (left === 3) c = (c + words[i + 2]!) >>> 0;
  if (left >= 2) b = (b + words[i + 1]!) >>> 0;
  a = (a + words[i]!) >>> 0;
  // __jhash_final
  c = (c ^ b) >>> 0;
  c = (c - rol32(b, 14)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rol32(c, 11)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rol32(a, 25)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rol32(b, 16)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rol32(c, 4)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rol32(a, 14)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rol32(b, 24)) >>> 0;
  return c;
}

/** reciprocal_scale(val, n): (val * n) >> 32, all unsigned 32-bit. */
export function reciprocalScale(val: number, n: number): number {
  // The product needs 64 bits; split val to stay exact in doubles.
  const hi = (val >>> 16) * (n >>> 0);
  const lo = (val & 0xffff) * (n >>> 0);
  return Math.floor((hi + Math.floor(lo / 0x10000)) / 0x10000) >>> 0;
}

/**
 * A network-order address word as a little-endian host reads it from memory: the kernel
 * hashes `(u32 *)&addr` on x86 and arm64, i.e. the byte-swapped word.
 */
export function hostWord(beWord: number): number {
  return (
    (((beWord & 0xff) << 24) | ((beWord & 0xff00) << 8) | ((beWord >>> 8) & 0xff00) | (beWord >>> 24)) >>> 0
  );
}
