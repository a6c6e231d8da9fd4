// replayTrace for the WebAssembly engine: frames copied into its batch area as the reader yields
// them, one call per batch, and the per-packet callback (when asked for) fed from the batch's
// result records. Counts by fate come straight from the records.

import type { WasmEngine } from '../engine/wasm/engine.js';
import { WasmPathUnsupported } from '../engine/wasm/engine.js';
import type { PacketSource, ReplayOptions, ReplayPacket, ReplaySummary } from './replay-trace.js';
import { frameLink } from './replay-trace.js';

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
