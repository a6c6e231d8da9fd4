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
