// Frames go into a WebAssembly batch a run at a time: one copy (WasmEngine.copySpan) for a run of
// frames that lie in one buffer in increasing order, then a record per frame (addInSpan). A
// copy's cost is mostly its call — about 200 ns out of shared memory, 75 ns out of a plain
// buffer, against 0.05 ns a byte —, so a run's copy, the bytes between its frames included,
// beats one copy per frame.

import { readSync } from 'node:fs';
import { FRAME_SLACK, type WasmEngine } from '../engine/wasm/engine.js';

/** Where frames lie in their buffer. */
export interface FrameSpans {
  offset(i: number): number;
  length(i: number): number;
}

/** The longest run of frames first..j-1 from `first` whose span the batch takes: [start, end) and j. */
function runFrom(
  engine: WasmEngine,
  frames: FrameSpans,
  first: number,
  last: number,
): { j: number; start: number; end: number } {
  const start = frames.offset(first);
  const room = engine.freeBytes;
  const most = first + engine.freeFrames;
  let j = first;
  let end = start;
  while (j < last && j < most) {
    const e = frames.offset(j) + frames.length(j) + FRAME_SLACK;
    if (e - start > room) break;
    end = e;
    j++;
  }
  return { j, start, end };
}

/**
 * Copies the longest run of frames first..last-1 whose span (and FRAME_SLACK after its last
 * frame, room to grow into) the engine's batch takes; returns the end of the run, `first` when
 * the batch has no room for even one (run it, then try again).
 */
export function copyRun(
  engine: WasmEngine,
  source: Uint8Array,
  frames: FrameSpans,
  first: number,
  last: number,
): number {
  const { j, start, end } = runFrom(engine, frames, first, last);
  if (j > first) engine.copySpan(source, start, end);
  return j;
}

/**
 * copyRun for frames whose offsets are positions in the file `fd`: the span is read from the file
 * straight into the batch (what lies past the file's end is left as it is).
 */
export function readRun(
  engine: WasmEngine,
  fd: number,
  frames: FrameSpans,
  first: number,
  last: number,
): number {
  const { j, start, end } = runFrom(engine, frames, first, last);
  if (j > first)
    engine.fillSpan(start, end, (view, at, length) => {
      for (let done = 0; done < length; ) {
        const n = readSync(fd, view, at + done, length - done, start + done);
        if (n === 0) break;
        done += n;
      }
    });
  return j;
}
