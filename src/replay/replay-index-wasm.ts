// A worker's round on the WebAssembly engine: the frames of its index (frame-index.ts) copied
// straight from the shared chunks into the engine's batch a run at a time (frame-spans.ts), no
// object or bigint per frame. Only
// counts by fate come out; when the outputs want each packet, the round goes through
// replayTraceWasm instead.

import type { WasmEngine } from '../engine/wasm/engine.js';
import type { FrameIndexReader } from './frame-index.js';
import { copyRun, type FrameSpans, readRun } from './frame-spans.js';
import { HeldFrames } from './held-frames.js';
import type { ReplaySummary } from './replay-trace.js';
import { frameLinkAt } from './replay-trace.js';

const NO_BYTES: Uint8Array = new Uint8Array(0);

/** `from`: the shared chunks the index points into, or the trace file's descriptor (its file offsets). */
export function replayIndexWasm(
  engine: WasmEngine,
  index: FrameIndexReader,
  from: ReadonlyMap<number, Uint8Array> | number,
  names: readonly string[],
): ReplaySummary {
  const fates: Record<string, number> = {};
  let skipped = 0;
  const held = new HeldFrames(engine, fates);
  const fromFile = typeof from === 'number';
  const spans: FrameSpans = fromFile
    ? { offset: (i) => index.fileOffset(i), length: (i) => index.length(i) }
    : { offset: (i) => index.offset(i), length: (i) => index.length(i) };
  let i = 0;
  while (i < index.count) {
    let chunk = NO_BYTES;
    let last = index.count;
    let j: number;
    if (fromFile) j = readRun(engine, from, spans, i, last);
    else {
      const chunkId = index.chunk(i);
      chunk = from.get(chunkId)!;
      last = i + 1;
      while (last < index.count && index.chunk(last) === chunkId) last++;
      j = copyRun(engine, chunk, spans, i, last);
    }
    if (j === i) {
      // The batch is full; an empty one takes any frame (batches hold 1600 bytes a frame).
      if (engine.pending === 0)
        throw new Error(`replay worker: frame ${index.number(i)} does not fit a batch`);
      held.flush();
      continue;
    }
    for (; i < j; i++) {
      const start = spans.offset(i);
      const length = index.length(i);
      const linkType = index.linkType(i);
      // From the file, a raw frame's link type was told by the main thread (no bytes here yet).
      const link = frameLinkAt(linkType, chunk, index.offset(i), length);
      if (!link) {
        skipped++;
        fates.skipped = (fates.skipped ?? 0) + 1;
        continue;
      }
      const iif = names[index.iif(i)]!;
      held.hold(index.number(i), iif, linkType, 0, null);
      engine.addInSpan(start, length, link, iif, index.timestampLo(i), index.timestampHi(i), index.number(i));
    }
  }
  if (engine.pending > 0) held.flush();
  return { packets: index.count, skipped, fates };
}
