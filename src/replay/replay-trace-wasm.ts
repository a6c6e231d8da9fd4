// replayTrace for the WebAssembly engine: frames copied into its batch area as the reader yields
// them, one call per batch, and the per-packet callback (when asked for) fed from the batch's
// result records. Counts by fate come straight from the records. A TraceReader's frames are
// taken batch by batch (replayReaderWasm), without an object per packet unless the callback
// wants them.

import type { WasmEngine } from '../engine/wasm/engine.js';
import { PacketFlag, type TraceReader } from '../trace/index.js';
import { copyRun, type FrameSpans } from './frame-spans.js';
import { HeldFrames } from './held-frames.js';
import type { PacketSource, ReplayOptions, ReplaySummary } from './replay-trace.js';
import { frameLink, frameLinkAt } from './replay-trace.js';

export { WasmReplayUnsupported } from './held-frames.js';

export function replayTraceWasm(
  engine: WasmEngine,
  reader: PacketSource,
  options: ReplayOptions = {},
): ReplaySummary {
  const fates: Record<string, number> = {};
  let packets = 0;
  let skipped = 0;
  const held = new HeldFrames(engine, fates, options.onPacket);
  for (const p of reader.packetsSync()) {
    packets++;
    const link = frameLink(p.linkType, p.data);
    const iif = options.iface ?? p.interfaceName;
    if (!link || !iif) {
      skipped++;
      fates.skipped = (fates.skipped ?? 0) + 1;
      continue;
    }
    if (!engine.fits(p.data.length)) held.flush();
    held.hold(p.number, iif, p.linkType, p.fileOffset, held.wantsPackets ? p.data.slice() : null);
    engine.add(p.data, link, iif, p.timestampNs ?? 0n, p.number);
  }
  if (engine.pending > 0) held.flush();
  return { packets, skipped, fates };
}

/**
 * replayTraceWasm over a TraceReader, batch by batch: frames go from the reader's chunk into the
 * engine's batch a run at a time (frame-spans.ts); packet objects are made only for `onPacket`. `onProgress` hears of each of the
 * reader's batches.
 */
export function replayReaderWasm(
  engine: WasmEngine,
  reader: TraceReader,
  options: ReplayOptions & { readonly onProgress?: (number: number, fileOffset: number) => void } = {},
): ReplaySummary {
  const fates: Record<string, number> = {};
  let packets = 0;
  let skipped = 0;
  const held = new HeldFrames(engine, fates, options.onPacket);
  for (const b of reader.batchesSync()) {
    const spans: FrameSpans = { offset: (i) => b.offset[i]!, length: (i) => b.capturedLength[i]! };
    let i = 0;
    while (i < b.count) {
      const j = copyRun(engine, b.data, spans, i, b.count);
      if (j === i) {
        held.flush();
        continue;
      }
      for (; i < j; i++) {
        packets++;
        const itf = b.interfaceOf(i);
        const start = b.offset[i]!;
        const length = b.capturedLength[i]!;
        const link = frameLinkAt(itf.linkType, b.data, start, length);
        const iif = options.iface ?? itf.name;
        if (!link || !iif) {
          skipped++;
          fates.skipped = (fates.skipped ?? 0) + 1;
          continue;
        }
        const number = b.firstNumber + i;
        const data = held.wantsPackets ? b.data.slice(start, start + length) : null;
        held.hold(number, iif, itf.linkType, b.dataFileOffset + b.recordOffset[i]!, data);
        // No timestamp (a Simple Packet Block) counts as 0, as in replayTrace.
        const stamped = (b.flags[i]! & PacketFlag.NoTimestamp) === 0;
        engine.addInSpan(
          start,
          length,
          link,
          iif,
          stamped ? b.timestampWords[2 * i]! : 0,
          stamped ? b.timestampWords[2 * i + 1]! : 0,
          number,
        );
      }
    }
    if (b.count > 0)
      options.onProgress?.(b.firstNumber + b.count - 1, b.dataFileOffset + b.recordOffset[b.count - 1]!);
  }
  if (engine.pending > 0) held.flush();
  return { packets, skipped, fates };
}
