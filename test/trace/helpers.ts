// Shared test helpers: read a whole trace with our reader, hex of packet bytes, filter a trace.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TracePacket, TraceReaderOptions, TraceSummary } from '../../src/trace/index.js';
import { openTrace, traceFromBytes } from '../../src/trace/index.js';

export const CORPUS_PCAPS = join(import.meta.dirname, '../../../shared/corpus/pcaps');
export const FIXTURES = join(import.meta.dirname, '../fixtures/trace');

export interface ReadResult {
  readonly packets: TracePacket[];
  readonly summary: TraceSummary;
}

export function readAll(input: string | Uint8Array, options?: TraceReaderOptions): ReadResult {
  const reader = typeof input === 'string' ? openTrace(input, options) : traceFromBytes(input, options);
  const packets: TracePacket[] = [];
  const it = reader.packetsSync();
  for (;;) {
    const r = it.next();
    if (r.done) return { packets, summary: r.value };
    packets.push(r.value);
  }
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

/** Every regular file under `dir` (sorted), or [] when it does not exist. */
export function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}
