// Reading memory ahead of its use, for code that can work out where a group of packets will read
// before it processes them. WebAssembly has no prefetch instruction, but plain loads that nothing
// waits on do the same when they are issued a few instructions apart: the processor runs ahead
// of a miss only as far as its reorder window reaches, so the addresses are gathered first (want)
// and then read in one tight loop (readWanted), their misses in flight together.

/** Addresses one round may gather. */
const CAPACITY: u32 = 64;
const wanted: usize = memory.data(<i32>CAPACITY * 4, 16);
let count: u32 = 0;
/** Where the loaded words go, so that no optimizer drops the loads. */
let sink: u32 = 0;

/** Adds `at` to the addresses the next readWanted reads (ignored past CAPACITY). */
export function want(at: usize): void {
  if (count >= CAPACITY) return;
  store<u32>(wanted + ((<usize>count) << 2), <u32>at);
  count++;
}

/** Reads a word at each address wanted since the last call, all in flight together. */
export function readWanted(): void {
  let s: u32 = 0;
  for (let i: u32 = 0; i < count; i++) s += load<u32>(<usize>load<u32>(wanted + ((<usize>i) << 2)));
  sink += s;
  count = 0;
}

/** The loads' sum (read by nothing; exported so that no optimizer drops the loads). */
export function readAheadSink(): u32 {
  return sink;
}
