// A worker of `replay --workers N`: its own engine over the connections its shard holds
// (connection-sharding.ts), fed batches of frames in trace order; it answers each batch with the
// packets' outcomes (when outputs want them) and at the end with its counters, fates and
// conntrack statistics. A WebAssembly engine that meets a packet it does not handle says which
// and stops: the run is then done again on the reference engine.

import { parentPort, workerData } from 'node:worker_threads';
import { ReferenceEngine } from '../engine/reference/engine.js';
import { WasmEngine, WasmPathUnsupported } from '../engine/wasm/engine.js';
import { adoptCompiledModule } from '../engine/wasm/module.js';
import { loadRuleset } from '../frontend/load-ruleset.js';
import { parseHostFile } from '../host/index.js';
import { counterVector } from './counter-vector.js';
import { FrameIndexReader } from './frame-index.js';
import { type PacketOutcome, packetOutcome } from './packet-outcome.js';
import { replayIndexWasm } from './replay-index-wasm.js';
import { fastPathsOf } from './replay-report.js';
import type { ReplayOptions } from './replay-trace.js';
import { replayTrace } from './replay-trace.js';
import { replayTraceWasm, WasmReplayUnsupported } from './replay-trace-wasm.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

const port = parentPort!;
const init = workerData as WorkerInit;
const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

function start(): void {
  if (init.module !== undefined) adoptCompiledModule(init.module);
  const { ruleset } = loadRuleset(init.rules.text, { file: init.rules.file });
  const host = parseHostFile(init.host.text, { file: init.host.file });
  let engine: WasmEngine | ReferenceEngine | undefined;
  let unsupported: { packet: number; message: string } | null = null;
  try {
    engine =
      init.engine === 'wasm'
        ? new WasmEngine(ruleset, host, { seed: init.seed })
        : new ReferenceEngine(ruleset, host, { seed: init.seed });
  } catch (e) {
    if (!(e instanceof WasmPathUnsupported)) throw e;
    unsupported = { packet: 0, message: e.message };
  }
  const names: string[] = [];
  const chunks = new Map<number, Uint8Array>();
  const fates: Record<string, number> = {};
  let packets = 0;
  let busyNs = 0n;
  const perPacket = init.wants.jsonl || init.wants.out || init.wants.dropped;

  port.on('message', (m: ToWorker) => {
    try {
      if (m.kind === 'finish') {
        if (!engine || unsupported) throw new Error('totals asked of a worker that stopped');
        send({
          kind: 'totals',
          fates,
          packets,
          busySeconds: Number(busyNs) / 1e9,
          counters: counterVector(engine.rulesetWithCounters()),
          conntrack:
            engine instanceof WasmEngine
              ? engine.conntrackStats()
              : { entries: engine.conntrack.count, stats: { ...engine.conntrack.stats } },
          ...(engine instanceof WasmEngine ? { fastPaths: fastPathsOf(engine) } : {}),
        });
        port.close();
        return;
      }
      names.push(...m.newNames);
      for (const c of m.newChunks) chunks.set(c.id, new Uint8Array(c.buffer));
      if (unsupported || !engine) {
        send({ kind: 'done', index: m.index, outcomes: null, unsupported }, [m.index]);
        return;
      }
      const outcomes: PacketOutcome[] | null = perPacket ? [] : null;
      const options: ReplayOptions = {
        trace: false,
        ...(outcomes ? { onPacket: (p) => outcomes.push(packetOutcome(p, init.wants)) } : {}),
      };
      const index = new FrameIndexReader(m.index, m.count);
      const source = { packetsSync: () => index.frames(chunks, names) };
      const started = process.hrtime.bigint();
      try {
        const summary = !(engine instanceof WasmEngine)
          ? replayTrace(engine, source, options)
          : outcomes
            ? replayTraceWasm(engine, source, options)
            : replayIndexWasm(engine, index, init.traceFd ?? chunks, names);
        for (const [k, n] of Object.entries(summary.fates)) fates[k] = (fates[k] ?? 0) + n;
        packets += summary.packets;
      } catch (e) {
        if (!(e instanceof WasmReplayUnsupported)) throw e;
        unsupported = { packet: e.packet, message: e.message };
      }
      busyNs += process.hrtime.bigint() - started;
      send({ kind: 'done', index: m.index, outcomes: unsupported ? null : outcomes, unsupported }, [m.index]);
    } catch (e) {
      send({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
}

try {
  start();
} catch (e) {
  send({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
