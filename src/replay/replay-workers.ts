// `replay --workers N`: the main thread reads the trace (streamed), keys every packet to a worker
// so each connection stays on one (connection-sharding.ts), and hands each worker the index of
// its frames (frame-index.ts; one transferred buffer per round and worker). With a keyer
// (frame-keyer.ts: the WebAssembly engine, no per-packet outputs) the decoding, keying and
// indexing run in WebAssembly and the workers read their frames from the trace file or from the
// keyer's staging; otherwise the reader reads into shared chunks (shared-chunks.ts) that the
// workers copy their frames out of. Frames go out in rounds of ROUND_PACKETS
// packets, DEPTH rounds ahead of the outputs: a round's outcomes are merged back in trace order
// (by packet number) once every worker has answered it, so memory stays flat whatever the trace.
// At the end the workers' counters and conntrack statistics are summed.

import { Worker } from 'node:worker_threads';
import type { ConntrackStats } from '../engine/conntrack/table.js';
import { compiledModule } from '../engine/wasm/module.js';
import type { Host } from '../host/index.js';
import type { Ruleset } from '../ir/ruleset.js';
import {
  LinkType,
  type PacketBatch,
  PacketFlag,
  type TraceInterface,
  type TraceReader,
} from '../trace/index.js';
import { ConnectionSharding, type FramesAhead } from './connection-sharding.js';
import { addCounters } from './counter-vector.js';
import { FrameIndexWriter } from './frame-index.js';
import { type FrameKeyer, ROUTE_PUNT, ROUTE_SKIPPED, STAGING_SLOTS } from './frame-keyer.js';
import type { ProgressBar } from './progress-bar.js';
import type { ReplayOutputs } from './replay-outputs.js';
import { addFastPaths, type FastPaths } from './replay-report.js';
import { frameLink, type ReplaySummary } from './replay-trace.js';
import type { SharedChunks } from './shared-chunks.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

/** Packets per round (all workers together), unless the options say otherwise. */
export const ROUND_PACKETS = 32768;
/** Rounds handed out before the oldest is merged. */
const DEPTH = 3;
/** frameLink's bytes when only whether a link type has an engine link matters. */
const NO_BYTES = new Uint8Array(0);
/** A keyed round's route: nothing reads it (the keyer serves no per-packet outputs). */
const NO_ROUTE = new Uint8Array(0);

/** A worker's WebAssembly engine met a packet it does not handle: run it all on the reference engine. */
export class WasmRunUnsupported extends Error {}

export interface WorkersRunOptions {
  readonly workers: number;
  readonly init: WorkerInit;
  readonly ruleset: Ruleset;
  readonly host: Host;
  /** A reader whose chunks come from `chunks` (its allocateChunk), unless the workers read the file (`init.traceFd`). */
  readonly reader: TraceReader;
  readonly chunks: SharedChunks;
  readonly iface?: string | undefined;
  readonly outputs: ReplayOutputs;
  readonly progress: ProgressBar;
  /** Packets per round (default 32768). */
  readonly roundPackets?: number;
  /** The sharding (built from the ruleset and host unless given; `keyer`'s, when there is one). */
  readonly sharding?: ConnectionSharding;
  /**
   * Decoding, keying and indexing in WebAssembly, for workers that read the file
   * (`init.traceFd`) or, with no file, a staging keyer; the reader was opened with its
   * readerOptions. Reading the file, batches it cannot take are keyed here.
   */
  readonly keyer?: FrameKeyer;
}

export interface WorkersRun {
  readonly summary: ReplaySummary;
  /** Summed counters, counter-vector.ts order. */
  readonly counters: Float64Array;
  readonly conntrack: { readonly entries: number; readonly stats: ConntrackStats };
  readonly fastPaths?: FastPaths;
  /** Per worker: the packets it ran and the seconds it spent running them (the shards' balance). */
  readonly shards: readonly { readonly packets: number; readonly busySeconds: number }[];
}

/** One worker thread and the answers it sent that nobody took yet. */
class WorkerHandle {
  private readonly answers: FromWorker[] = [];
  private waiting: ((m: FromWorker) => void) | undefined;
  private failed: Error | undefined;
  private failWaiting: ((e: Error) => void) | undefined;

  constructor(readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => {
      if (m.kind === 'error') return this.fail(new Error(`replay worker: ${m.message}`));
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        this.failWaiting = undefined;
        w(m);
      } else this.answers.push(m);
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`replay worker exited with code ${code}`));
    });
  }

  private fail(e: Error): void {
    this.failed ??= e;
    this.failWaiting?.(e);
  }

  send(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  next(): Promise<FromWorker> {
    const m = this.answers.shift();
    if (m) return Promise.resolve(m);
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }
}

/**
 * The worker script next to this module: compiled JavaScript, or (tests, `tsx`) TypeScript
 * loaded through tsx's API, as a worker's `--import tsx` does not reach its loader.
 */
function startWorker(init: WorkerInit): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./replay-worker.js', self), { workerData: init });
  const script = JSON.stringify(new URL('./replay-worker.ts', self).href);
  return new Worker(
    `import('tsx/esm/api').then((api) => api.tsImport(${script}, ${JSON.stringify(self)}));`,
    {
      eval: true,
      workerData: init,
    },
  );
}

interface Round {
  readonly number: number;
  /** Worker of each packet of the round, in trace order (ROUTE_SKIPPED for skipped ones). */
  readonly route: Uint8Array;
  readonly count: number;
  readonly lastNumber: number;
  readonly fileOffset: number;
}

export async function replayWithWorkers(o: WorkersRunOptions): Promise<WorkersRun> {
  const sharding = o.sharding ?? new ConnectionSharding(o.ruleset, o.host, o.workers);
  const readsFile = o.init.traceFd !== undefined;
  const keyer = o.keyer;
  const roundPackets = o.roundPackets ?? ROUND_PACKETS;
  // The keyer keeps no route (per-packet outputs need it); its index entries name the file's
  // offsets, or staged copies in its memory, announced to the workers as chunk 0.
  if (
    keyer &&
    (keyer.staging === readsFile ||
      o.outputs.perPacket ||
      keyer.roundPackets < roundPackets ||
      STAGING_SLOTS <= DEPTH)
  )
    throw new Error(
      'replay workers: the WebAssembly keyer needs workers that read the file or staging, no per-packet outputs and rounds it has room for',
    );
  // Workers share one compiled module (its code compiled and tiered up once, not per thread).
  const init: WorkerInit = o.init.engine === 'wasm' ? { ...o.init, module: compiledModule() } : o.init;
  const handles = Array.from({ length: o.workers }, () => new WorkerHandle(startWorker(init)));
  const writers = handles.map(() => new FrameIndexWriter());
  const nameIds = new Map<string, number>();
  const newNames: string[] = [];
  const fates: Record<string, number> = {};
  let packets = 0;
  let skipped = 0;
  const rounds: Round[] = [];

  const merge = async (round: Round): Promise<void> => {
    const answers = await Promise.all(handles.map((h) => h.next()));
    answers.forEach((a, w) => {
      if (a.kind === 'done') (keyer ?? writers[w]!).giveBack(a.index);
    });
    o.chunks.merged(round.number);
    let first: { packet: number; message: string } | undefined;
    for (const a of answers)
      if (a.kind === 'done' && a.unsupported && (!first || a.unsupported.packet < first.packet))
        first = a.unsupported;
    if (first) throw new WasmRunUnsupported(first.message);
    if (o.outputs.perPacket) {
      const at = new Array<number>(handles.length).fill(0);
      for (let i = 0; i < round.count; i++) {
        const w = round.route[i]!;
        if (w === ROUTE_SKIPPED) continue;
        const a = answers[w]!;
        if (a.kind !== 'done' || !a.outcomes) throw new Error(`replay worker ${w}: no outcomes`);
        o.outputs.write(a.outcomes[at[w]!++]!);
      }
    }
    o.progress.update(round.lastNumber - (round.lastNumber & 4095), round.fileOffset);
  };

  let roundNumber = 0;
  const dispatch = (
    route: Uint8Array,
    count: number,
    lastNumber: number,
    fileOffset: number,
    keyed: boolean,
  ): void => {
    const names = newNames.splice(0);
    const newChunks = o.chunks.announce();
    if (keyer?.staging && roundNumber === 0) newChunks.push({ id: 0, buffer: keyer.sharedMemory });
    handles.forEach((h, w) => {
      const index = keyed ? keyer!.take(w) : writers[w]!.take();
      h.send({ kind: 'frames', index: index.buffer, count: index.count, newNames: names, newChunks }, [
        index.buffer,
      ]);
    });
    rounds.push({ number: roundNumber++, route, count, lastNumber, fileOffset });
    keyer?.startRound(roundNumber);
  };

  try {
    // Per interface of the trace: the id of its ingress name for the workers (-1: its packets are
    // skipped: no link type the engines take, or no name), and its link type.
    const nameIdOf: number[] = [];
    const linkTypeOf: number[] = [];
    const nameIdOfInterface = (at: number, itf: TraceInterface): number => {
      const iif = o.iface ?? itf.name;
      let id = -1;
      if (frameLink(itf.linkType, NO_BYTES) && iif) {
        id = nameIds.get(iif) ?? -1;
        if (id < 0) {
          id = nameIds.size;
          nameIds.set(iif, id);
          newNames.push(iif);
        }
      }
      nameIdOf[at] = id;
      linkTypeOf[at] = itf.linkType;
      return id;
    };
    let route = new Uint8Array(roundPackets);
    let count = 0;
    let lastNumber = 0;
    let fileOffset = 0;
    /** Whether the round being filled is in the keyer's indexes (else in `writers`). */
    let keyedRound = false;
    const endRound = async (): Promise<void> => {
      dispatch(keyedRound ? NO_ROUTE : route, count, lastNumber, fileOffset, keyedRound);
      if (!keyedRound) route = new Uint8Array(roundPackets);
      count = 0;
      if (rounds.length >= DEPTH) await merge(rounds.shift()!);
    };
    const interfaceWord = (at: number, b: PacketBatch): number => {
      const id = nameIdOf[at] ?? nameIdOfInterface(at, b.interfaces[at]!);
      return id < 0 ? -1 : id | (linkTypeOf[at]! << 16);
    };
    const batches = o.reader.batchesSync();
    for (let r = batches.next(); !r.done; r = batches.next()) {
      const b: PacketBatch = r.value;
      // The batch's later frames, for a fragment that came before its datagram's first one.
      const ahead: FramesAhead = {
        count: b.count,
        linkType: (j) => {
          const at = b.interfaceIndex[j]!;
          return (nameIdOf[at] ?? nameIdOfInterface(at, b.interfaceOf(j))) < 0 ? -1 : linkTypeOf[at]!;
        },
        offset: (j) => b.offset[j]!,
        length: (j) => b.capturedLength[j]!,
      };
      if (keyer?.staging && !keyer.takes(b))
        throw new Error(`replay workers: more interfaces than the keyer takes (${b.interfaces.length})`);
      if (keyer?.takes(b)) {
        // A round's indexes come from one place: end a round the loop below began.
        if (count > 0 && !keyedRound) await endRound();
        keyedRound = true;
        keyer.prepare(b, (at) => interfaceWord(at, b));
        for (let i = 0; i < b.count; ) {
          const to = Math.min(b.count, i + roundPackets - count);
          if (keyer.route(b, i, to) > 0)
            for (let j = i; j < to; j++)
              if (keyer.routeOf(j) === ROUTE_PUNT) {
                const linkType = linkTypeOf[b.interfaceIndex[j]!]!;
                keyer.setRoute(
                  j,
                  sharding.shardOf(b.data, b.offset[j]!, b.capturedLength[j]!, linkType, ahead, j + 1),
                );
              }
          // A round ends early when a worker's staging region is full.
          for (let j = i; j < to; ) {
            const stop = keyer.append(b, j, to);
            if (keyer.skipped > 0) {
              skipped += keyer.skipped;
              fates.skipped = (fates.skipped ?? 0) + keyer.skipped;
            }
            if (stop > j) {
              packets += stop - j;
              count += stop - j;
              lastNumber = b.firstNumber + stop - 1;
              fileOffset = b.dataFileOffset + b.recordOffset[stop - 1]!;
            }
            if (stop === j && count === 0)
              throw new Error('replay workers: a frame larger than its staging region');
            j = stop;
            if (j < to || count === roundPackets) await endRound();
          }
          i = to;
        }
        continue;
      }
      if (count > 0 && keyedRound) await endRound();
      keyedRound = false;
      // Workers that read the file need no chunk: the reader reuses its own, still in cache.
      let chunk = readsFile ? 0 : o.chunks.use(b.data, roundNumber);
      for (let i = 0; i < b.count; i++) {
        const number = b.firstNumber + i;
        packets++;
        lastNumber = number;
        fileOffset = b.dataFileOffset + b.recordOffset[i]!;
        const at = b.interfaceIndex[i]!;
        const id = nameIdOf[at] ?? nameIdOfInterface(at, b.interfaceOf(i));
        if (id < 0) {
          skipped++;
          fates.skipped = (fates.skipped ?? 0) + 1;
          route[count++] = ROUTE_SKIPPED;
        } else {
          const start = b.offset[i]!;
          const length = b.capturedLength[i]!;
          let linkType = linkTypeOf[at]!;
          const w = sharding.shardOf(b.data, start, length, linkType, ahead, i + 1);
          // A worker that reads the file itself sees no bytes before its engine has them: a raw
          // frame's version is told here (frameLinkAt's choice).
          if (readsFile && linkType === LinkType.Raw)
            linkType = length > 0 && b.data[start]! >>> 4 === 6 ? LinkType.Ipv6 : LinkType.Ipv4;
          // No timestamp (a Simple Packet Block) counts as 0, as in replayTrace.
          const stamped = (b.flags[i]! & PacketFlag.NoTimestamp) === 0;
          writers[w]!.append(
            chunk,
            start,
            length,
            id,
            linkType,
            stamped ? b.timestampWords[2 * i]! : 0,
            stamped ? b.timestampWords[2 * i + 1]! : 0,
            number,
            b.dataFileOffset + start,
          );
          route[count++] = w;
        }
        if (count === roundPackets) {
          await endRound();
          chunk = readsFile ? 0 : o.chunks.use(b.data, roundNumber);
        }
      }
    }
    if (count > 0) dispatch(keyedRound ? NO_ROUTE : route, count, lastNumber, fileOffset, keyedRound);
    while (rounds.length > 0) await merge(rounds.shift()!);
    for (const h of handles) h.send({ kind: 'finish' });
    const totals = await Promise.all(handles.map((h) => h.next()));
    let counters: Float64Array | undefined;
    let entries = 0;
    const stats: Record<string, number> = {};
    const shards: { packets: number; busySeconds: number }[] = [];
    let fastPaths: FastPaths | undefined;
    for (const t of totals) {
      if (t.kind !== 'totals') throw new Error('replay worker: expected its totals');
      shards.push({ packets: t.packets, busySeconds: Number(t.busySeconds.toFixed(3)) });
      for (const [k, n] of Object.entries(t.fates)) fates[k] = (fates[k] ?? 0) + n;
      if (counters) addCounters(counters, t.counters);
      else counters = Float64Array.from(t.counters);
      entries += t.conntrack.entries;
      for (const [k, n] of Object.entries(t.conntrack.stats)) stats[k] = (stats[k] ?? 0) + n;
      if (t.fastPaths) fastPaths = fastPaths ? addFastPaths(fastPaths, t.fastPaths) : t.fastPaths;
    }
    return {
      summary: { packets, skipped, fates },
      counters: counters!,
      conntrack: { entries, stats: stats as unknown as ConntrackStats },
      ...(fastPaths ? { fastPaths } : {}),
      shards,
    };
  } finally {
    await Promise.all(handles.map((h) => h.worker.terminate()));
  }
}
