// The messages between `replay --workers` (replay-workers.ts) and its workers (replay-worker.ts).

import type { ConntrackStats } from '../engine/conntrack/table.js';
import type { OutcomeWants, PacketOutcome } from './packet-outcome.js';
import type { FastPaths } from './replay-report.js';

export interface WorkerInit {
  readonly rules: { readonly text: string; readonly file: string };
  readonly host: { readonly text: string; readonly file: string };
  readonly engine: 'wasm' | 'reference';
  readonly seed: number;
  readonly wants: OutcomeWants;
  /** The release build's compiled WebAssembly.Module (engine 'wasm'), shared by every thread. */
  readonly module?: unknown;
  /**
   * A descriptor of the trace file (descriptors are the process's, so every thread reads through
   * it), when the workers read their frames from it — at the index's file offsets, straight into
   * the engine's batch — instead of copying them out of the shared chunks, whose bytes the main
   * thread's core read: a regular file, the WebAssembly engine, no per-packet outputs.
   */
  readonly traceFd?: number;
}

/** Main → worker: the index of a round's frames (frame-index.ts), or the end of the trace. */
export type ToWorker =
  | {
      readonly kind: 'frames';
      /** The index of `count` frames. */
      readonly index: ArrayBuffer;
      readonly count: number;
      /** Interface names the index refers to for the first time (ids count on from the last). */
      readonly newNames: readonly string[];
      /** Shared chunks (shared-chunks.ts, or a staging keyer's memory) the index refers to for the first time. */
      readonly newChunks: readonly { readonly id: number; readonly buffer: SharedArrayBuffer }[];
    }
  | { readonly kind: 'finish' };

/** Worker → main: one per batch, in order, then the run's totals; or why it cannot go on. */
export type FromWorker =
  | {
      readonly kind: 'done';
      /** The index's buffer, handed back to be filled again. */
      readonly index: ArrayBuffer;
      /** Per packet of the batch, in order, when the outputs need them. */
      readonly outcomes: readonly PacketOutcome[] | null;
      /** The first packet its engine does not handle (the WebAssembly engine), if any. */
      readonly unsupported: { readonly packet: number; readonly message: string } | null;
    }
  | {
      readonly kind: 'totals';
      readonly fates: Readonly<Record<string, number>>;
      /** Packets it ran, and seconds it spent running them (not waiting for batches). */
      readonly packets: number;
      readonly busySeconds: number;
      readonly counters: Float64Array;
      readonly conntrack: { readonly entries: number; readonly stats: ConntrackStats };
      readonly fastPaths?: FastPaths;
    }
  | { readonly kind: 'error'; readonly message: string };
