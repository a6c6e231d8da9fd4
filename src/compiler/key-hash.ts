// The hash of classification keys (a few u32 words): murmur3's 32-bit block mixing and
// finaliser, simple to repeat word for word in AssemblyScript.

export function hashKey(words: ArrayLike<number>, start: number, n: number): number {
  let h = 0x9747b28c;
  for (let i = 0; i < n; i++) {
    let k = Math.imul(words[start + i]!, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= n * 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Smallest power of two holding n keys at most half full. */
export function tableCapacity(n: number): number {
  let cap = 4;
  while (cap < n * 2) cap *= 2;
  return cap;
}
