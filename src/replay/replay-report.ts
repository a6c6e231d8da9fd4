// The end-of-run summary of a replay, as a table for people and as JSON for tools: packets by
// fate, top rules by hits, conntrack statistics, what the WebAssembly engine's shortcuts answered,
// throughput.

import type { ConntrackStats } from '../engine/conntrack/table.js';
import type { WasmEngine } from '../engine/wasm/engine.js';
import { formatRuleSpec } from '../frontend/iptables/printer.js';
import type { Ruleset } from '../ir/ruleset.js';

export interface TopRule {
  readonly table: string;
  readonly chain: string;
  /** 1-based position in its chain. */
  readonly index: number;
  readonly file: string;
  readonly line: number;
  readonly packets: number;
  readonly rule: string;
}

/**
 * What the WebAssembly engine's shortcuts answered: packets whose way after conntrack the flow
 * cache replayed, new connections' first packets it dropped as their flow's first was dropped
 * (refusals), and table walks the walk memo replayed or walked (only walks it may keep).
 */
export interface FastPaths {
  readonly flowReplays: number;
  readonly flowRefusals: number;
  /** Recorded flows the cache lost for want of room (each then records again). */
  readonly flowDisplaced: number;
  readonly memoHits: number;
  readonly memoMisses: number;
}

/** The engine's figures since it was made (the run's, as replay makes an engine per run). */
export function fastPathsOf(engine: WasmEngine): FastPaths {
  const memo = engine.walkMemo;
  const flow = engine.flowCache;
  return {
    flowReplays: flow.replays,
    flowRefusals: flow.refusals,
    flowDisplaced: flow.displaced,
    memoHits: memo.hits,
    memoMisses: memo.misses,
  };
}

/** Sums the figures of several engines (workers). */
export function addFastPaths(a: FastPaths, b: FastPaths): FastPaths {
  return {
    flowReplays: a.flowReplays + b.flowReplays,
    flowRefusals: a.flowRefusals + b.flowRefusals,
    flowDisplaced: a.flowDisplaced + b.flowDisplaced,
    memoHits: a.memoHits + b.memoHits,
    memoMisses: a.memoMisses + b.memoMisses,
  };
}

export interface ReplayReport {
  readonly packets: number;
  /** Wall-clock seconds of the processing itself (reading and running, not loading). */
  readonly seconds: number;
  readonly pps: number;
  readonly fates: Readonly<Record<string, number>>;
  readonly skipped: number;
  readonly topRules: readonly TopRule[];
  readonly conntrack: { readonly entries: number; readonly stats: Readonly<ConntrackStats> };
  /** The WebAssembly engine's shortcuts (absent when the reference engine ran). */
  readonly fastPaths?: FastPaths;
  readonly traceProblems: number;
  /** The engine that produced the results: 'wasm' or 'reference'. */
  readonly engine: 'wasm' | 'reference';
  /** Why a run asked for the WebAssembly engine went to the reference engine. */
  readonly fallback?: string;
  /** Engines that ran the trace, each in its worker thread when more than one. */
  readonly workers: number;
  /** Why a run asked for several workers ran on one. */
  readonly oneWorker?: string;
  /** With workers: the packets each ran and its seconds of running them (not waiting). */
  readonly shards?: readonly { readonly packets: number; readonly busySeconds: number }[];
}

/** The `limit` rules with the most hits in a ruleset carrying the run's counters. */
export function topRules(counted: Ruleset, limit = 5): TopRule[] {
  return counted.tables
    .flatMap((t) =>
      t.chains.flatMap((c) =>
        c.rules.map((r, i) => ({
          table: t.name,
          chain: c.name,
          index: i + 1,
          file: r.source.file,
          line: r.source.line,
          packets: Number(r.counters.packets),
          rule: `-A ${c.name}${formatRuleSpec(r, counted.family)}`,
        })),
      ),
    )
    .filter((x) => x.packets > 0)
    .sort((a, b) => b.packets - a.packets)
    .slice(0, limit);
}

export function formatReport(r: ReplayReport): string {
  const ns = (r.seconds * 1e9) / Math.max(1, r.packets);
  const lines = [
    `${r.packets} packets in ${r.seconds.toFixed(3)} s (${(r.pps / 1e6).toFixed(3)} Mpps, ${ns.toFixed(0)} ns/packet, ${r.engine === 'wasm' ? 'WebAssembly' : 'reference'} engine${r.workers > 1 ? `, ${r.workers} workers` : ''})`,
    ...(r.fallback ? [`(the reference engine ran the trace: ${r.fallback})`] : []),
    ...(r.oneWorker ? [`(one worker: ${r.oneWorker})`] : []),
    'packets by fate:',
    ...Object.entries(r.fates)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `  ${String(n).padStart(10)}  ${k}`),
  ];
  if (r.topRules.length) {
    lines.push(
      'top rules by hits:',
      ...r.topRules.map(
        (x) => `  ${String(x.packets).padStart(10)}  ${x.table} ${x.file}:${x.line}  ${x.rule}`,
      ),
    );
  }
  const s = r.conntrack.stats;
  lines.push(
    'conntrack:',
    `  ${String(r.conntrack.entries).padStart(10)}  entries at the end`,
    ...(Object.entries(s) as [string, number][]).map(([k, n]) => `  ${String(n).padStart(10)}  ${k}`),
  );
  const f = r.fastPaths;
  if (f) {
    const share = (n: number, of: number) => (of > 0 ? `${((100 * n) / of).toFixed(0)}%` : '-');
    const walks = f.memoHits + f.memoMisses;
    lines.push(
      'fast paths:',
      `  ${String(f.flowReplays).padStart(10)}  packets whose way after conntrack the flow cache replayed (${share(f.flowReplays, r.packets)})`,
      `  ${String(f.flowRefusals).padStart(10)}  new connections' first packets it dropped as their flow's first was dropped (${share(f.flowRefusals, r.packets)})`,
      `  ${String(f.flowDisplaced).padStart(10)}  flows it recorded and lost for want of room`,
      `  ${String(f.memoHits).padStart(10)}  walks the walk memo replayed, of ${walks} it could have (${share(f.memoHits, walks)})`,
    );
  }
  return `${lines.join('\n')}\n`;
}
