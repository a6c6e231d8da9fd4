// The Internet checksum (RFC 1071) over linear memory, for the NAT rewrite path to come.

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
