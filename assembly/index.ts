// nfwasm WebAssembly hot path. For now: the Internet checksum (RFC 1071) over linear memory,
// which proves the toolchain end to end and is what the NAT rewrite path builds on.

/** Ones'-complement sum of `len` bytes at `ptr`, folded to 16 bits and complemented. */
export function internetChecksum(ptr: usize, len: i32): u32 {
  let sum: u64 = 0;
  let i: i32 = 0;
  // Big-endian 16-bit words: load as little-endian u16 and swap once at the end.
  for (; i + 1 < len; i += 2) {
    sum += <u64>load<u16>(ptr + <usize>i);
  }
  if (i < len) sum += <u64>load<u8>(ptr + <usize>i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  const folded = <u32>sum;
  const swapped = ((folded & 0xff) << 8) | (folded >> 8);
  return ~swapped & 0xffff;
}

/** Grow memory so that at least `bytes` are addressable; returns the base of a scratch area. */
export function reserve(bytes: i32): usize {
  const have = (<i32>memory.size()) << 16;
  const base = __heap_base;
  const need = <i32>base + bytes;
  if (need > have) memory.grow(((need - have + 0xffff) >> 16) as i32);
  return base;
}
