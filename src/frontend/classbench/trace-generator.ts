// Packets for ClassBench filter sets: the corpus has no `_trace` files, so headers are drawn from
// the filters themselves (as ClassBench's trace_generator does): a filter picked at random, each
// field a random point of its prefix or range. Seeded and deterministic; a share of packets is
// drawn uniformly instead, so some miss every filter.

import type { ClassBenchFilter } from './filter.js';

/** A packet's 5-tuple (addresses as unsigned 32-bit numbers). */
export interface FiveTuple {
  readonly src: number;
  readonly dst: number;
  readonly sport: number;
  readonly dport: number;
  readonly proto: number;
}

export interface TraceOptions {
  readonly seed?: number;
  /** Share of packets drawn uniformly rather than from a filter (default 0.05). */
  readonly uniform?: number;
}

/** mulberry32: a small seeded generator, uniform on [0, 2^32). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const PROTOS = [6, 17, 1, 47];

export function generateTrace(
  filters: readonly ClassBenchFilter[],
  count: number,
  options: TraceOptions = {},
): FiveTuple[] {
  const next = generator(options.seed ?? 1);
  const below = (n: number) => Math.floor((next() / 0x100000000) * n);
  const uniform = Math.floor((options.uniform ?? 0.05) * 0x100000000);
  const inPrefix = (addr: number, len: number) =>
    len === 0 ? next() : len === 32 ? addr : (addr | (next() & (0xffffffff >>> len))) >>> 0;
  const out: FiveTuple[] = [];
  for (let i = 0; i < count; i++) {
    if (filters.length === 0 || next() < uniform) {
      out.push({
        src: next(),
        dst: next(),
        sport: below(65536),
        dport: below(65536),
        proto: PROTOS[below(PROTOS.length)]!,
      });
      continue;
    }
    const f = filters[below(filters.length)]!;
    out.push({
      src: inPrefix(f.src, f.srcLen),
      dst: inPrefix(f.dst, f.dstLen),
      sport: f.sportLo + below(f.sportHi - f.sportLo + 1),
      dport: f.dportLo + below(f.dportHi - f.dportLo + 1),
      proto: f.protoMask === 0xff ? f.proto : PROTOS[below(PROTOS.length)]!,
    });
  }
  return out;
}
