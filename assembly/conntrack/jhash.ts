// jhash2() (include/linux/jhash.h) over 32-bit words in linear memory and reciprocal_scale(),
// as src/engine/conntrack/jhash.ts computes them for the TS table's buckets.

const JHASH_INITVAL: u32 = 0xdeadbeef;

/** jhash2(k, length, initval). */
export function jhash2(words: usize, length: u32, initval: u32): u32 {
  let a: u32 = JHASH_INITVAL + (length << 2) + initval;
  let b = a;
  let c = a;
  let p = words;
  let left = length;
  while (left > 3) {
    a += load<u32>(p);
    b += load<u32>(p, 4);
    c += load<u32>(p, 8);
    // __jhash_mix
    a -= c;
    a ^= rotl<u32>(c, 4);
    c += b;
    b -= a;
    b ^= rotl<u32>(a, 6);
    a += c;
    c -= b;
    c ^= rotl<u32>(b, 8);
    b += a;
    a -= c;
    a ^= rotl<u32>(c, 16);
    c += b;
    b -= a;
    b ^= rotl<u32>(a, 19);
    a += c;
    c -= b;
    c ^= rotl<u32>(b, 4);
    b += a;
    left -= 3;
    p += 12;
  }
  if (left === 0) return c;
  if (left === 3) c += load<u32>(p, 8);
  if (left >= 2) b += load<u32>(p, 4);
  a += load<u32>(p);
  // __jhash_final
  c ^= b;
  c -= rotl<u32>(b, 14);
  a ^= c;
  a -= rotl<u32>(c, 11);
  b ^= a;
  b -= rotl<u32>(a, 25);
  c ^= b;
  c -= rotl<u32>(b, 16);
  a ^= c;
  a -= rotl<u32>(c, 4);
  b ^= a;
  b -= rotl<u32>(a, 14);
  c ^= b;
  c -= rotl<u32>(b, 24);
  return c;
}

/** reciprocal_scale(val, n): (val * n) >> 32. */
export function reciprocalScale(val: u32, n: u32): u32 {
  return <u32>((<u64>val * <u64>n) >> 32);
}
