// replayTrace for the WebAssembly engine: frames copied into its batch area as the reader yields
// them, one call per batch, and the per-packet callback (when asked for) fed from the batch's
// result records. Counts by fate come straight from the records. A TraceReader's frames are
// taken batch by batch (replayReaderWasm), without an object per packet unless the callback
// wants them.

import type { WasmEngine } from '../engine/wasm/engine.js';
import { WasmPathUnsupported } from '../engine/wasm/engine.js';
import { PacketFlag, type TraceReader } from '../trace/index.js';
import type { PacketSource, ReplayOptions, ReplayPacket, ReplaySummary } from './replay-trace.js';
import { frameLink, frameLinkAt } from './replay-trace.js';

/** A frame the WebAssembly engine does not handle yet: the run must go to the reference engine. */
export class WasmReplayUnsupported extends Error {
  constructor(
    /** 1-based packet number in the trace. */
    readonly packet: number,
    readonly reason: string,
  ) {
    super(`packet ${packet}: the WebAssembly engine does not handle ${reason} yet`);
  }
}

interface Held {
  readonly number: number;
  readonly iif: string;
  readonly timestampNs: bigint;
  readonly linkType: number;
  readonly fileOffset: number;
  readonly data: Uint8Array | null;
}

export function replayTraceWasm(
  engine: WasmEngine,
  reader: PacketSource,
  options: ReplayOptions = {},
): ReplaySummary {
  const fates: Record<string, number> = {};
  let packets = 0;
  let skipped = 0;
  const held: Held[] = [];
  const wantsPackets = options.onPacket !== undefined;
  const flush = () => {
    try {
      engine.run();
    } catch (e) {
      if (e instanceof WasmPathUnsupported) throw new WasmReplayUnsupported(held[e.frame]!.number, e.reason);
      throw e;
    }
    for (let k = 0; k < engine.pending; k++) {
      if (wantsPackets) {
        const h = held[k]!;
        const result = engine.result(k);
        fates[result.fate.kind] = (fates[result.fate.kind] ?? 0) + 1;
        const p: ReplayPacket = {
          number: h.number,
          iif: h.iif,
          timestampNs: h.timestampNs,
          result,
          data: h.data!,
          linkType: h.linkType,
          fileOffset: h.fileOffset,
        };
        options.onPacket!(p);
      } else {
        const kind = engine.fateOf(k);
        fates[kind] = (fates[kind] ?? 0) + 1;
      }
    }
    engine.clear();
    held.length = 0;
  };
  for (const p of reader.packetsSync()) {
    packets++;
    const link = frameLink(p.linkType, p.data);
    const iif = options.iface ?? p.interfaceName;
    if (!link || !iif) {
      skipped++;
      fates.skipped = (fates.skipped ?? 0) + 1;
      continue;
    }
    if (!engine.fits(p.data.length)) flush();
    const timestampNs = p.timestampNs ?? 0n;
    engine.add(p.data, link, iif, timestampNs, p.number);
    held.push({
      number: p.number,
      iif,
      timestampNs,
      linkType: p.linkType,
      fileOffset: p.fileOffset,
      data: wantsPackets ? p.data.slice() : null,
    });
  }
  if (engine.pending > 0) flush();
  return { packets, skipped, fates };
}

/** Frame k of the engine's batch: where it came from in the trace. */
interface HeldFrames {
  number: Float64Array;
  fileOffset: Float64Array;
  linkType: Uint16Array;
  iif: string[];
  data: Uint8Array[];
}

/**
 * replayTraceWasm over a TraceReader, batch by batch: frames go from the reader's chunk into the
 * engine's batch; packet objects are made only for `onPacket`. `onProgress` hears of each of the
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
  const wantsPackets = options.onPacket !== undefined;
  const capacity = engine.batchSize;
  const held: HeldFrames = {
    number: new Float64Array(capacity),
    fileOffset: new Float64Array(capacity),
    linkType: new Uint16Array(capacity),
    iif: new Array<string>(capacity),
    data: [],
  };
  const flush = () => {
    try {
      engine.run();
    } catch (e) {
      if (e instanceof WasmPathUnsupported) throw new WasmReplayUnsupported(held.number[e.frame]!, e.reason);
      throw e;
    }
    for (let k = 0; k < engine.pending; k++) {
      if (wantsPackets) {
        const result = engine.result(k);
        fates[result.fate.kind] = (fates[result.fate.kind] ?? 0) + 1;
        options.onPacket!({
          number: held.number[k]!,
          iif: held.iif[k]!,
          timestampNs: engine.timestampOf(k),
          result,
          data: held.data[k]!,
          linkType: held.linkType[k]!,
          fileOffset: held.fileOffset[k]!,
        });
      } else {
        const kind = engine.fateOf(k);
        fates[kind] = (fates[kind] ?? 0) + 1;
      }
    }
    engine.clear();
  };
  for (const b of reader.batchesSync()) {
    for (let i = 0; i < b.count; i++) {
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
      if (!engine.fits(length)) flush();
      const k = engine.pending;
      const number = b.firstNumber + i;
      held.number[k] = number;
      held.iif[k] = iif;
      held.linkType[k] = itf.linkType;
      held.fileOffset[k] = b.dataFileOffset + b.recordOffset[i]!;
      if (wantsPackets) held.data[k] = b.data.slice(start, start + length);
      // No timestamp (a Simple Packet Block) counts as 0, as in replayTrace.
      const stamped = (b.flags[i]! & PacketFlag.NoTimestamp) === 0;
      engine.addFrom(
        b.data,
        start,
        length,
        link,
        iif,
        stamped ? b.timestampWords[2 * i]! : 0,
        stamped ? b.timestampWords[2 * i + 1]! : 0,
        number,
      );
    }
    if (b.count > 0)
      options.onProgress?.(b.firstNumber + b.count - 1, b.dataFileOffset + b.recordOffset[b.count - 1]!);
  }
  if (engine.pending > 0) flush();
  return { packets, skipped, fates };
}
