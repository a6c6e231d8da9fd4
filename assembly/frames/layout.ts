// Where everything of the frames module lies in its memory, set once by src/replay/frame-keyer.ts
// (configure): the keying's tables, the per-interface tables, the packet batch's arrays (the
// reader's PacketBatch is laid over them, so the walk writes what JavaScript reads) and the
// workers' indexes.

export let workers: u32 = 1;
export let portMask: u32 = 0xffff;
/** Translatable IPv4 ranges, sorted and disjoint: (from, to) word pairs. */
export let ranges: usize = 0;
export let rangeCount: i32 = 0;
/** Service endpoints: a byte per port some endpoint uses, and an open-addressing set of (address, port | 0x10000). */
export let portUsed: usize = 0;
export let endpointSet: usize = 0;
export let endpointMask: u32 = 0;
/** Service address ranges whose every port counts: (from, to) pairs. */
export let anyRanges: usize = 0;
export let anyCount: i32 = 0;
/** Per interface of the trace: name id | link type << 16, or -1 (its frames are skipped). */
export let interfaceWords: usize = 0;
/** Per interface: nanoseconds per timestamp unit (u64; 0: not a whole number, the walk leaves its blocks to JavaScript) and the offset in nanoseconds (i64). */
export let unitNanoseconds: usize = 0;
export let offsetNanoseconds: usize = 0;
// The batch (src/trace/packet-batch.ts), an array of `capacity` elements each.
export let offsets: usize = 0;
export let capturedLengths: usize = 0;
export let originalLengths: usize = 0;
export let interfaceIndexes: usize = 0;
/** Nanoseconds, i64 each. */
export let timestamps: usize = 0;
/** A byte each. */
export let flags: usize = 0;
export let optionsOffsets: usize = 0;
export let optionsLengths: usize = 0;
export let recordOffsets: usize = 0;
/** A route byte per frame of the batch. */
export let routes: usize = 0;
/** Workers' indexes: region w at indexes + w * indexBytes; frames in each so far (u32 each) at indexCounts. */
export let indexes: usize = 0;
export let indexBytes: usize = 0;
export let indexCounts: usize = 0;
/**
 * Staging (0 bytes: off): per round slot and worker a region the worker's frames are copied into,
 * back to back, so that the worker takes them in a few large copies out of this (shared) memory
 * instead of reading the trace again. Slot s, worker w: staging + (s * workers + w) * stagingBytes.
 */
export let staging: usize = 0;
export let stagingBytes: usize = 0;
/** Bytes used so far in each worker's region of the current slot (u32 each), and that slot's first region. */
export let stagingUsed: usize = 0;
export let stagingSlot: usize = 0;

/** Starts filling slot `slot`'s regions (a round's), empty. */
export function startStaging(slot: i32): void {
  stagingSlot = staging + <usize>slot * workers * stagingBytes;
  memory.fill(stagingUsed, 0, (<usize>workers) << 2);
}

/** Memory from the heap's base up to `bytes` more (the layout's room); returns its start. */
export function reserve(bytes: usize): usize {
  const base = (__heap_base + 15) & ~(<usize>15);
  const top = base + bytes;
  const have = (<usize>memory.size()) << 16;
  if (top > have) memory.grow(<i32>((top - have + 0xffff) >> 16));
  return base;
}

/** Sets the layout from the 28 words at `words` (src/replay/frame-keyer.ts writes them in this order). */
export function configure(words: usize): void {
  workers = load<u32>(words);
  portMask = load<u32>(words, 4);
  ranges = load<u32>(words, 8);
  rangeCount = load<i32>(words, 12);
  portUsed = load<u32>(words, 16);
  endpointSet = load<u32>(words, 20);
  endpointMask = load<u32>(words, 24);
  anyRanges = load<u32>(words, 28);
  anyCount = load<i32>(words, 32);
  interfaceWords = load<u32>(words, 36);
  unitNanoseconds = load<u32>(words, 40);
  offsetNanoseconds = load<u32>(words, 44);
  offsets = load<u32>(words, 48);
  capturedLengths = load<u32>(words, 52);
  originalLengths = load<u32>(words, 56);
  interfaceIndexes = load<u32>(words, 60);
  timestamps = load<u32>(words, 64);
  flags = load<u32>(words, 68);
  optionsOffsets = load<u32>(words, 72);
  optionsLengths = load<u32>(words, 76);
  recordOffsets = load<u32>(words, 80);
  routes = load<u32>(words, 84);
  indexes = load<u32>(words, 88);
  indexBytes = load<u32>(words, 92);
  indexCounts = load<u32>(words, 96);
  staging = load<u32>(words, 100);
  stagingBytes = load<u32>(words, 104);
  stagingUsed = load<u32>(words, 108);
  stagingSlot = staging;
}
