// Linear memory: a bump allocator above the static data (the table, counters and batches are
// allocated once by the host; nothing is allocated per packet).

let top: usize = 0;
/** The highest `top` ever: memory above it is as memory.grow gave it, zero. */
let touched: usize = 0;

/** Returns `bytes` of zeroed memory aligned to 16, growing memory as needed. */
export function alloc(bytes: usize): usize {
  if (top === 0) top = (__heap_base + 15) & ~(<usize>15);
  const ptr = top;
  top = (ptr + bytes + 15) & ~(<usize>15);
  const have = (<usize>memory.size()) << 16;
  if (top > have) memory.grow(<i32>((top - have + 0xffff) >> 16));
  // Only what an earlier allocation may have dirtied needs zeroing (a large table then costs
  // nothing up front: fresh pages are zero).
  if (ptr < touched) memory.fill(ptr, 0, min(bytes, touched - ptr));
  if (top > touched) touched = top;
  return ptr;
}

/** alloc(bytes) starting on a cache line (64 bytes), for records read a line at a time. */
export function allocLines(bytes: usize): usize {
  return (alloc(bytes + 48) + 63) & ~(<usize>63);
}

/**
 * memory.fill(p, 0, n) for a record of `n` bytes, a multiple of 16, in the per-packet path:
 * V8 runs memory.fill as a call out of WebAssembly (about 6 ns however small), which plain
 * stores beat for the few dozen bytes of a packet's records.
 */
export function zeroQuads(p: usize, n: usize): void {
  const zero = i64x2.splat(0);
  for (let i: usize = 0; i < n; i += 16) v128.store(p + i, zero);
}

/** memory.copy(dst, src, n << 2) for a few words that do not overlap (see zeroQuads). */
export function copyWords(dst: usize, src: usize, n: usize): void {
  for (let i: usize = 0; i < n << 2; i += 4) store<u32>(dst + i, load<u32>(src + i));
}

/** Frees everything allocated at or after `mark` (a pointer alloc returned). */
export function release(mark: usize): void {
  top = mark;
}

export function be16(p: usize): u32 {
  return ((<u32>load<u8>(p)) << 8) | <u32>load<u8>(p, 1);
}

export function be32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}
