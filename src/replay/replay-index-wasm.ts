// A worker's round on the WebAssembly engine: the frames of its index (frame-index.ts) copied
// straight from the shared chunks into the engine's batch, no object or bigint per frame. Only
// counts by fate come out; when the outputs want each packet, the round goes through
// replayTraceWasm instead.

import type { WasmEngine } from '../engine/wasm/engine.js';
import type { FrameIndexReader } from './frame-index.js';
import { HeldFrames } from './held-frames.js';
import type { ReplaySummary } from './replay-trace.js';
import { frameLinkAt } from './replay-trace.js';

const NO_BYTES = new Uint8Array(0);

export function replayIndexWasm(
  engine: WasmEngine,
  index: FrameIndexReader,
  chunks: ReadonlyMap<number, Uint8Array>,
  names: readonly string[],
): ReplaySummary {
  const fates: Record<string, number> = {};
  let skipped = 0;
  const held = new HeldFrames(engine, fates);
  let chunkId = -1;
  let chunk: Uint8Array = NO_BYTES;
  for (let i = 0; i < index.count; i++) {
    if (index.chunk(i) !== chunkId) {
      chunkId = index.chunk(i);
      chunk = chunks.get(chunkId)!;
    }
    const start = index.offset(i);
    const length = index.length(i);
    const linkType = index.linkType(i);
    const link = frameLinkAt(linkType, chunk, start, length);
    if (!link) {
      skipped++;
      fates.skipped = (fates.skipped ?? 0) + 1;
      continue;
    }
    if (!engine.fits(length)) held.flush();
    const iif = names[index.iif(i)]!;
    held.hold(index.number(i), iif, linkType, 0, null);
    engine.addFrom(
      chunk,
      start,
      length,
      link,
      iif,
      index.timestampLo(i),
      index.timestampHi(i),
      index.number(i),
    );
  }
  if (engine.pending > 0) held.flush();
  return { packets: index.count, skipped, fates };
}
