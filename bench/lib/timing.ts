// Timing loops and rate formatting shared by the benchmarks.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFunction: (() => void) | null = null;

/**
 * A full garbage collection now (node's gc, exposed on first use), so a timed loop does not pay
 * for what the compile before it left behind (a 100k-rule compile leaves hundreds of MB).
 */
export function collectGarbage(): void {
  if (!gcFunction) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
}

/** A clock in ns: wall time (hrtime), or this process's CPU time (user + system) where load is shared. */
export type NsClock = () => number;
export const wallClockNs: NsClock = () => Number(process.hrtime.bigint());
// (getrusage: precise for the calling thread, which the kernel brings up to date on the call,
// but it counts V8's helper threads too: time a workload after it has tiered up.)
export const cpuClockNs: NsClock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

/** Best wall time of `runs` runs of `f`, in ns. */
export function bestNs(runs: number, f: () => void): number {
  let ns = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    f();
    ns = Math.min(ns, Number(process.hrtime.bigint() - t0));
  }
  return ns;
}

/**
 * Best wall time of `runs` runs of `f`, in ms, with the last run's value; `gc`: a full collection
 * before each run (an allocating `f` then does not pay for the garbage of the run before).
 */
export function bestMs<T>(runs: number, f: () => T, gc = false): { ms: number; value: T } {
  let ms = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    if (gc) {
      value = undefined;
      collectGarbage();
    }
    const t0 = process.hrtime.bigint();
    value = f();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms, value: value as T };
}

/**
 * Packets per second of `run(k)` (which processes the first `k` of `total` items): a warm-up
 * on a few items estimates the cost per item, then `k` is chosen so one run takes about
 * `targetMs`, and the best of `runs` runs counts.
 */
export function adaptivePps(
  total: number,
  run: (k: number) => void,
  options: { readonly targetMs: number; readonly runs: number; readonly min?: number },
): { pps: number; measured: number } {
  const probe = Math.min(total, options.min ?? 200);
  run(probe); // warm-up (JIT, lazily decoded parameters)
  const probeNs = Math.max(
    1,
    bestNs(1, () => run(probe)),
  );
  const perItem = probeNs / probe;
  const k = Math.max(probe, Math.min(total, Math.floor((options.targetMs * 1e6) / perItem)));
  if (k > probe) run(k);
  const ns = bestNs(options.runs, () => run(k));
  return { pps: k / (ns / 1e9), measured: k };
}

/** `12.34 M` / `567.8 k` packets per second. */
export function formatPps(pps: number): string {
  return pps >= 1e6 ? `${(pps / 1e6).toFixed(2)} M` : `${(pps / 1e3).toFixed(1)} k`;
}

/** ns per packet at `pps`. */
export function nsPerPacket(pps: number): string {
  return (1e9 / pps).toFixed(1);
}
