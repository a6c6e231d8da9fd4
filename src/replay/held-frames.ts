// The frames in a WebAssembly engine's batch, as the replay loops hold them until the batch
// runs: where each came from in the trace (for the per-packet callback and for naming the packet
// the engine does not handle), and running the batch: counts by fate, the callback fed from the
// result records, the batch cleared.

import type { WasmEngine } from '../engine/wasm/engine.js';
import { WasmPathUnsupported } from '../engine/wasm/engine.js';
import type { ReplayPacket } from './replay-trace.js';

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

export class HeldFrames {
  private readonly number: Float64Array;
  private readonly fileOffset: Float64Array;
  private readonly linkType: Uint16Array;
  private readonly iif: string[];
  private readonly data: (Uint8Array | null)[];

  constructor(
    private readonly engine: WasmEngine,
    private readonly fates: Record<string, number>,
    private readonly onPacket?: (p: ReplayPacket) => void,
  ) {
    const capacity = engine.batchSize;
    // Without the callback no packet's result is read, nor its connection.
    engine.packetConnections = onPacket !== undefined;
    this.number = new Float64Array(capacity);
    this.fileOffset = new Float64Array(capacity);
    this.linkType = new Uint16Array(capacity);
    this.iif = new Array<string>(capacity);
    this.data = new Array<Uint8Array | null>(capacity);
  }

  /** Whether the callback wants packets (then `hold` must be given each frame's bytes). */
  get wantsPackets(): boolean {
    return this.onPacket !== undefined;
  }

  /** Notes where the frame the engine is about to take (its next) came from. */
  hold(number: number, iif: string, linkType: number, fileOffset: number, data: Uint8Array | null): void {
    const k = this.engine.pending;
    this.number[k] = number;
    this.iif[k] = iif;
    this.linkType[k] = linkType;
    this.fileOffset[k] = fileOffset;
    this.data[k] = data;
  }

  /** Runs the batch; throws WasmReplayUnsupported naming the first packet it does not handle. */
  flush(): void {
    const engine = this.engine;
    try {
      engine.run();
    } catch (e) {
      if (e instanceof WasmPathUnsupported) throw new WasmReplayUnsupported(this.number[e.frame]!, e.reason);
      throw e;
    }
    const fates = this.fates;
    for (let k = 0; k < engine.pending; k++) {
      if (this.onPacket) {
        const result = engine.result(k);
        fates[result.fate.kind] = (fates[result.fate.kind] ?? 0) + 1;
        this.onPacket({
          number: this.number[k]!,
          iif: this.iif[k]!,
          timestampNs: engine.timestampOf(k),
          result,
          data: this.data[k]!,
          linkType: this.linkType[k]!,
          fileOffset: this.fileOffset[k]!,
        });
      } else {
        const kind = engine.fateOf(k);
        fates[kind] = (fates[kind] ?? 0) + 1;
      }
    }
    engine.clear();
  }
}
