// Microbenchmarks (benchmark.js) and memory figures.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Benchmark from 'benchmark';
import { compile } from '../../src/compiler/compile.js';
import { TableInterpreter } from '../../src/compiler/interpret.js';
import { ConntrackTable, DEFAULT_SETTINGS } from '../../src/engine/conntrack/index.js';
import { seconds } from '../../src/engine/conntrack/timeouts.js';
import type { Tuple } from '../../src/engine/conntrack/tuple.js';
import { type ConntrackExports, WasmConntrack } from '../../src/engine/wasm/conntrack.js';
import { WasmClassifier } from '../../src/engine/wasm/index.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { specPacket } from './packets.js';
import { dockerHostDump } from './scenarios.js';

export interface MicroResult {
  readonly name: string;
  readonly opsPerSec: number;
  readonly nsPerOp: number;
  /** Relative margin of error, percent. */
  readonly rme: number;
  readonly samples: number;
}

export interface MemoryResult {
  /** Entries inserted into the reference engine's (TypeScript) ConntrackTable. */
  readonly conntrackEntries: number;
  /** JavaScript heap growth per confirmed UDP entry (both directions' tuples indexed). */
  readonly conntrackBytesPerEntry: number;
  readonly gcExposed: boolean;
  /** WebAssembly linear memory per entry of a table sized for `wasmEntries` (records, buckets, NAT). */
  readonly wasmConntrackEntries?: number;
  readonly wasmConntrackBytesPerEntry?: number;
}

const UDP_TIMEOUT = seconds(30);
const ONE_RULE =
  '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n';

function udpTuple(i: number): { original: Tuple; reply: Tuple } {
  const src = [(0x0a000000 + (i >>> 8)) >>> 0];
  const dst = [0xc0a80001];
  const sport = 1024 + (i & 0xff);
  return {
    original: { family: 'ipv4', protocol: 17, src, dst, sport, dport: 53, icmpType: 0, icmpCode: 0 },
    reply: {
      family: 'ipv4',
      protocol: 17,
      src: dst,
      dst: src,
      sport: 53,
      dport: sport,
      icmpType: 0,
      icmpCode: 0,
    },
  };
}

/** Allocates and confirms connection `i` (a UDP flow); returns false when the table refused it. */
function insert(table: ConntrackTable, i: number): boolean {
  const t = udpTuple(i);
  const e = table.alloc(t.original, t.reply, 0, 0n, { kind: 'udp', streamTs: 0n });
  if (e) e.timeout = UDP_TIMEOUT; // what the UDP tracker sets on the first packet
  return e !== null && table.confirm(e, 'original', 0n).verdict === 'ACCEPT';
}

/** A table without nf_conntrack_max, so inserting never evicts. */
function unboundedTable(): ConntrackTable {
  const t = new ConntrackTable();
  return new ConntrackTable({ settings: { ...t.settings, max: 0 } });
}

export function runMicro(maxTime: number): MicroResult[] {
  // Closures are called, not decompiled into benchmark.js's generated loop.
  Benchmark.support.decompilation = false;
  const ruleset = parseIptablesSave(dockerHostDump(33), { file: 'docker-host.v4', family: 'ipv4' });
  const table = compile(ruleset);
  const wasm = new WasmClassifier(table);
  const batch = wasm.batch(1, 256);
  const p = specPacket('tcp 198.51.100.1:40000 > 172.17.0.2:80 iif eth0', 'docker0');
  const chain = new TableInterpreter(table).chainIndex('filter', 'FORWARD');
  batch.add(p.bytes, { chain, iif: p.iif, oif: p.oif, mark: 0 });

  const ct = unboundedTable();
  const LOOKUP_ENTRIES = 10_000;
  for (let i = 0; i < LOOKUP_ENTRIES; i++) insert(ct, i);
  const lookups = Array.from({ length: 1024 }, (_, i) => udpTuple((i * 7919) % LOOKUP_ENTRIES).original);
  let li = 0;
  const churn = unboundedTable();
  let next = 0;

  const results: MicroResult[] = [];
  const suite = new Benchmark.Suite();
  const options = { maxTime, minSamples: 5, initCount: 1 };
  suite
    .add(
      'parse: one-rule iptables-save file',
      () => parseIptablesSave(ONE_RULE, { file: 'x', family: 'ipv4' }),
      options,
    )
    .add('compile: docker host, 100 rules', () => compile(ruleset), options)
    .add('classify one packet: wasm (batch of 1)', () => wasm.classify(batch), options)
    .add(
      `conntrack lookup: reference (TS) table, ${LOOKUP_ENTRIES} entries`,
      () => {
        if (!ct.find(lookups[li++ & 1023]!, 0, 0n)) throw new Error('lookup missed');
      },
      options,
    )
    .add(
      'conntrack insert + delete: reference (TS) table',
      () => {
        const t = udpTuple(next++);
        const e = churn.alloc(t.original, t.reply, 0, 0n, { kind: 'udp', streamTs: 0n });
        if (e) e.timeout = UDP_TIMEOUT;
        if (!e || churn.confirm(e, 'original', 0n).verdict !== 'ACCEPT') throw new Error('insert failed');
        churn.delete(e);
      },
      options,
    )
    .on('cycle', (event: Benchmark.Event) => {
      const b = event.target;
      const error = (b as { error?: unknown }).error;
      if (error) throw error;
      const hz = b.hz ?? 0;
      results.push({
        name: b.name ?? '',
        opsPerSec: hz,
        nsPerOp: 1e9 / hz,
        rme: b.stats?.rme ?? 0,
        samples: b.stats?.sample.length ?? 0,
      });
    })
    .run({ async: false });
  return results;
}

let gcFunction: (() => void) | null | undefined;

/** global.gc, exposed at run time if node was not started with --expose-gc. */
function gc(): (() => void) | null {
  if (gcFunction !== undefined) return gcFunction;
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    gcFunction = g;
    return g;
  }
  try {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  } catch {
    gcFunction = null;
  }
  return gcFunction;
}

/** Heap growth per conntrack entry: the median of three fresh tables of `entries` entries. */
export function measureMemory(entries: number, wasmEntries = 1_000_000): MemoryResult {
  const runs = [0, 1, 2].map(() => heapPerEntry(entries)).sort((a, b) => a - b);
  return {
    conntrackEntries: entries,
    conntrackBytesPerEntry: runs[1]!,
    gcExposed: gc() !== null,
    wasmConntrackEntries: wasmEntries,
    wasmConntrackBytesPerEntry: wasmBytesPerEntry(wasmEntries),
  };
}

/**
 * Linear memory the WebAssembly connection table takes for `entries` connections: nf_conntrack_max
 * = entries with the kernel's default of a quarter as many buckets; every record is allocated up
 * front, so the growth of the memory is the table's whole cost.
 */
function wasmBytesPerEntry(entries: number): number {
  const ruleset = parseIptablesSave(ONE_RULE, { file: 'one-rule.v4', family: 'ipv4' });
  const classifier = new WasmClassifier(compile(ruleset));
  const x = classifier.exports as unknown as ConntrackExports;
  const before = x.memory.buffer.byteLength;
  const table = new WasmConntrack(x, {
    settings: { ...DEFAULT_SETTINGS, max: entries, buckets: Math.max(1, entries >>> 2) },
    capacity: entries,
    batchSize: 1,
  });
  if (table.capacity !== entries) throw new Error('wasm conntrack capacity');
  return (x.memory.buffer.byteLength - before) / entries;
}

function heapPerEntry(entries: number): number {
  const collect = gc();
  const settle = () => {
    collect?.();
    collect?.();
  };
  settle();
  const before = process.memoryUsage().heapUsed;
  const table = unboundedTable();
  for (let i = 0; i < entries; i++) if (!insert(table, i)) throw new Error(`conntrack insert ${i} failed`);
  settle();
  const after = process.memoryUsage().heapUsed;
  if (table.count !== entries) throw new Error(`conntrack holds ${table.count} of ${entries}`);
  return (after - before) / entries;
}
