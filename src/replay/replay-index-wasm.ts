// A worker's round on the WebAssembly engine: the frames of its index (frame-index.ts) copied
// straight from the shared chunks into the engine's batch a run at a time (frame-spans.ts), no
// object or bigint per frame. Only
// counts by fate come out; when the outputs want each packet, the round goes through
// replayTraceWasm instead.

import type { WasmEngine } from '../engine/wasm/engine.js';
import type { FrameIndexReader } from './frame-index.js';
import { copyRun, type FrameSpans } from './frame-spans.js';
import { HeldFrames } from './held-frames.js';
import type { ReplaySummary } from './replay-trace.js';
import { frameLinkAt } from './replay-trace.js';

export function replayIndexWasm(
  engine: WasmEngine,
  index: FrameIndexReader,
  chunks: ReadonlyMap<number, Uint8Array>,
  names: readonly string[],
): ReplaySummary {
  const fates: Record<string, number> = {};
  let skipped = 0;
  const held = new HeldFrames(engine, fates);
  const spans: FrameSpans = { offset: (i) => index.offset(i), length: (i) => index.length(i) };
  let i = 0;
  while (i < index.count) {
    const chunkId = index.chunk(i);
    const chunk = chunks.get(chunkId)!;
    let last = i + 1;
    while (last < index.count && index.chunk(last) === chunkId) last++;
    const j = copyRun(engine, chunk, spans, i, last);
    if (j === i) {
      // The batch is full; an empty one takes any frame (batches hold 1600 bytes a frame).
      if (engine.pending === 0)
        throw new Error(`replay worker: frame ${index.number(i)} does not fit a batch`);
      held.flush();
      continue;
    }
    for (; i < j; i++) {
      const start = index.offset(i);
      const length = index.length(i);
      const linkType = index.linkType(i);
      const link = frameLinkAt(linkType, chunk, start, length);
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
