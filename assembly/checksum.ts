// The Internet checksum (RFC 1071) over linear memory: header checks, conntrack's transport
// checksum verification and the checksums of the packets the host generates.

/**
 * Ones'-complement sum of `len` bytes at `ptr` read as big-endian 16-bit words, folded to 16
 * bits, not complemented (0 only when every byte is 0).
 */
export function onesSum(ptr: usize, len: usize): u32 {
  let sum: u64 = 0;
  let p = ptr;
  const end = ptr + len;
  // 16 bytes at a time, as eight little-endian 16-bit lanes added pairwise into four 32-bit
  // lanes (each grows by at most 2 * 0xffff a step: no overflow below 512 KiB of data).
  if (len >= 32) {
    let acc = i32x4.splat(0);
    while (p + 16 <= end) {
      acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_u(v128.load(p)));
      p += 16;
    }
    sum =
      <u64>(<u32>i32x4.extract_lane(acc, 0)) +
      <u64>(<u32>i32x4.extract_lane(acc, 1)) +
      <u64>(<u32>i32x4.extract_lane(acc, 2)) +
      <u64>(<u32>i32x4.extract_lane(acc, 3));
  }
  // Little-endian 64-bit loads: as 2^16 ≡ 1 (mod 2^16 - 1), adding the 32-bit halves adds the
  // same 16-bit words, and one byte swap of the folded sum gives the big-endian sum.
  while (p + 8 <= end) {
    const v = load<u64>(p);
    sum += (v & 0xffffffff) + (v >> 32);
    p += 8;
  }
  if (p + 4 <= end) {
    sum += <u64>load<u32>(p);
    p += 4;
  }
  if (p + 2 <= end) {
    sum += <u64>load<u16>(p);
    p += 2;
  }
  if (p < end) sum += <u64>load<u8>(p);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  const folded = <u32>sum;
  return ((folded & 0xff) << 8) | (folded >> 8);
}

/** The Internet checksum of `len` bytes at `ptr`: the complement of their ones'-complement sum. */
export function internetChecksum(ptr: usize, len: i32): u32 {
  return ~onesSum(ptr, <usize>len) & 0xffff;
}
