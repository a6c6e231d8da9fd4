// Conntrack in WebAssembly (assembly/conntrack/) against the reference engine's ConntrackTable:
// seeded random traces fed packet by packet to both (conntrackIn, then confirm), the same
// result per packet (kind, ctinfo, direction, entry, confirm verdict, the CT record the
// classifier reads) and the same entries (tuples, status, timeout, TCP window state) at
// checkpoints. NFWASM_FUZZ=long runs ten times as many packets. Also: bytes per entry at 1M.

import { describe, expect, it } from 'vitest';
import {
  type ConnEntry,
  type ConntrackSettings,
  ConntrackTable,
  confirm,
  conntrackIn,
  DEFAULT_SETTINGS,
  IPS_CONFIRMED,
  IPS_DYING,
  type TrackResult,
} from '../../src/engine/conntrack/index.js';
import { ctView } from '../../src/engine/reference/ct-view.js';
import {
  type ConntrackExports,
  CT_ENTRY_BYTES,
  type WasmConnEntry,
  WasmConntrack,
} from '../../src/engine/wasm/conntrack.js';
import { ctRecord } from '../../src/engine/wasm/facts.js';
import { instantiateClassifier } from '../../src/engine/wasm/module.js';
import { conntrackTrace } from './conntrack-traces.js';

const LONG = process.env.NFWASM_FUZZ === 'long';

function instance(): ConntrackExports {
  return instantiateClassifier('release') as unknown as ConntrackExports;
}

interface Config {
  readonly name: string;
  readonly settings: ConntrackSettings;
  readonly hashSeed: number;
  /** Concurrent flows in the trace. */
  readonly flows: number;
  /** TraceOptions.backInTime. */
  readonly backInTime?: number;
  /** Also sweep both tables now and then (expire(now)) and compare with a scan of every record. */
  readonly sweep?: boolean;
}

const CONFIGS: readonly Config[] = [
  { name: 'defaults', settings: DEFAULT_SETTINGS, hashSeed: 0, flows: 24 },
  // A small table: early drop and the expiry sweep before it.
  {
    name: 'max 40, 8 buckets',
    settings: { ...DEFAULT_SETTINGS, max: 40, buckets: 8 },
    hashSeed: 0x1234,
    flows: 120,
  },
  {
    name: 'strict tcp, max 150',
    settings: { ...DEFAULT_SETTINGS, tcpLoose: false, tcpIgnoreInvalidRst: true, max: 150, buckets: 64 },
    hashSeed: 7,
    flows: 200,
  },
  // Full most of the time with connections expiring all along, timeouts shrinking (TCP
  // teardowns), clashes, time stepping back: the expiry indexes against a scan of every entry.
  {
    name: 'full table, expiry under churn',
    settings: {
      ...DEFAULT_SETTINGS,
      max: 24,
      buckets: 8,
      udpTimeout: 20,
      udpTimeoutStream: 40,
      icmpTimeout: 10,
      genericTimeout: 15,
      tcpTimeoutSynSent: 30,
      tcpTimeoutClose: 5,
      tcpTimeoutTimeWait: 10,
      tcpTimeoutFinWait: 8,
      tcpTimeoutEstablished: 600,
      tcpTimeoutMaxRetrans: 20,
      tcpTimeoutUnacknowledged: 20,
    },
    hashSeed: 0xbeef,
    flows: 100,
    backInTime: 0.01,
    sweep: true,
  },
  {
    name: 'be_liberal, no checksum, short timeouts',
    settings: {
      ...DEFAULT_SETTINGS,
      tcpBeLiberal: true,
      checksum: false,
      tcpMaxRetrans: 1,
      udpTimeout: 5,
      icmpTimeout: 3,
      tcpTimeoutSynSent: 10,
      tcpTimeoutEstablished: 900,
    },
    hashSeed: 99,
    flows: 40,
  },
];

function tsEntryView(e: ConnEntry): Omit<WasmConnEntry, 'index'> {
  const p = e.proto;
  return {
    id: e.id,
    original: e.tuple.original,
    reply: e.tuple.reply,
    zone: e.zone,
    status: e.status,
    mark: e.mark,
    timeout: e.timeout,
    tcp: p.kind === 'tcp' ? p.tcp : null,
    udpStreamTs: p.kind === 'udp' ? p.streamTs : null,
  };
}

function tsResult(t: TrackResult) {
  if (t.kind !== 'tracked') return { kind: t.kind, ctinfo: null, direction: 'original', id: null };
  return { kind: t.kind, ctinfo: t.ctinfo, direction: t.direction, id: t.entry.id };
}

interface RunStats {
  packets: number;
  divergences: string[];
  kinds: Record<string, number>;
  checkpoints: number;
  maxEntries: number;
  earlyDrops: number;
  tcpStates: Set<number>;
  /** Connections expire(now) deleted at the extra sweeps. */
  sweeps: number;
  byConfig: Record<string, { earlyDrops: number; drops: number; clashes: number }>;
}

function run(config: Config, seed: number, packets: number, stats: RunStats): void {
  const table = new ConntrackTable({ settings: config.settings, hashSeed: config.hashSeed });
  const x = instance();
  const wasm = new WasmConntrack(x, {
    settings: config.settings,
    hashSeed: config.hashSeed,
    capacity: config.settings.max > 0 ? config.settings.max : 4096,
    batchSize: 1,
  });
  let i = 0;
  let now = 0n;
  const trace = conntrackTrace(seed, {
    packets,
    flows: config.flows,
    ...(config.backInTime === undefined ? {} : { backInTime: config.backInTime }),
  });
  for (const step of trace) {
    now = step.now;
    const track = conntrackIn(table, step.pkt, step.now, step.hook);
    const expectFacts = Array.from(ctRecord(ctView(track, false, table, step.now, () => step.pkt)));
    const confirmed = confirm(table, track, step.now);
    const [got] = wasm.track([step]);
    const gotFacts = Array.from(wasm.ctRecord(0));
    stats.packets++;
    const key = track.kind === 'tracked' ? track.ctinfo : track.kind;
    stats.kinds[key] = (stats.kinds[key] ?? 0) + 1;
    const expected = { ...tsResult(track), confirm: confirmed?.verdict ?? null };
    const actual = {
      kind: got!.kind,
      ctinfo: got!.ctinfo,
      direction: got!.kind === 'tracked' ? got!.direction : 'original',
      id: got!.kind === 'tracked' && got!.entry !== null ? wasm.entryId(got!.entry) : null,
      confirm: got!.confirm,
    };
    const where = `${config.name} seed ${seed} packet ${i}`;
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      stats.divergences.push(
        `${where}: ${JSON.stringify(step.pkt)} ts ${JSON.stringify(expected)} wasm ${JSON.stringify(actual)}`,
      );
    } else if (JSON.stringify(expectFacts) !== JSON.stringify(gotFacts)) {
      stats.divergences.push(`${where}: CT record ts ${expectFacts} wasm ${gotFacts}`);
    }
    if (i % 250 === 249 || i === packets - 1) checkpoint(table, wasm, now, where, stats);
    if (config.sweep && i % 100 === 50) sweep(table, wasm, x, now, where, stats);
    if (stats.divergences.length > 5) return;
    i++;
  }
  stats.earlyDrops += table.stats.earlyDrop;
  stats.byConfig[config.name] = {
    earlyDrops: (stats.byConfig[config.name]?.earlyDrops ?? 0) + table.stats.earlyDrop,
    drops: (stats.byConfig[config.name]?.drops ?? 0) + table.stats.drop,
    clashes: (stats.byConfig[config.name]?.clashes ?? 0) + table.stats.clashResolve,
  };
}

const bigintJson = (x: unknown): string =>
  JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

function checkpoint(
  table: ConntrackTable,
  wasm: WasmConntrack,
  now: bigint,
  where: string,
  stats: RunStats,
): void {
  stats.checkpoints++;
  const expected = table.entries(now).map(tsEntryView);
  const actual = wasm.entries(now).map(({ index: _, ...rest }) => rest);
  stats.maxEntries = Math.max(stats.maxEntries, expected.length);
  for (const e of expected) if (e.tcp) stats.tcpStates.add(e.tcp.state);
  if (table.count !== wasm.count)
    stats.divergences.push(`${where}: count ts ${table.count} wasm ${wasm.count}`);
  const s = table.stats;
  const w = wasm.stats();
  const tsStats = [s.found, s.invalid, s.insert, s.insertFailed, s.drop, s.earlyDrop];
  const wStats = [w.found, w.invalid, w.insert, w.insertFailed, w.drop, w.earlyDrop];
  if (tsStats.join() !== wStats.join())
    stats.divergences.push(`${where}: stats ts ${tsStats} wasm ${wStats}`);
  if (expected.length !== actual.length) {
    stats.divergences.push(`${where}: ${expected.length} entries in ts, ${actual.length} in wasm`);
    return;
  }
  for (let k = 0; k < expected.length; k++) {
    const a = bigintJson(expected[k]);
    const b = bigintJson(actual[k]);
    if (a !== b) {
      stats.divergences.push(`${where}: entry ${k}\n ts   ${a}\n wasm ${b}`);
      return;
    }
  }
}

/** Confirmed, not deleted records whose timeout has passed, found by scanning all of them. */
function expiredByScan(x: ConntrackExports, now: bigint): number {
  const view = new DataView(x.memory.buffer);
  const base = x.ctEntries() >>> 0;
  let n = 0;
  for (let i = 0; i < x.ctHighWater(); i++) {
    const e = base + i * CT_ENTRY_BYTES;
    const used = view.getUint8(e + 45) & 2; // EF_USED
    const status = view.getUint16(e + 48, true);
    if (used && status & IPS_CONFIRMED && !(status & IPS_DYING) && view.getBigInt64(e, true) <= now) n++;
  }
  return n;
}

/** expire(now) on both tables: the same number deleted, and what a scan finds expired. */
function sweep(
  table: ConntrackTable,
  wasm: WasmConntrack,
  x: ConntrackExports,
  now: bigint,
  where: string,
  stats: RunStats,
): void {
  const scanned = expiredByScan(x, now);
  const ts = table.expire(now);
  const w = wasm.expire(now);
  stats.sweeps += ts;
  if (ts !== w || w !== scanned)
    stats.divergences.push(`${where}: expire deleted ts ${ts} wasm ${w}, scan finds ${scanned} expired`);
  if (expiredByScan(x, now) !== 0) stats.divergences.push(`${where}: expired records left after expire`);
  if (table.count !== wasm.count)
    stats.divergences.push(`${where}: count ts ${table.count} wasm ${wasm.count}`);
}

describe('conntrack in WebAssembly agrees with the reference ConntrackTable', () => {
  it('random flow traces', () => {
    const stats: RunStats = {
      packets: 0,
      divergences: [],
      kinds: {},
      checkpoints: 0,
      maxEntries: 0,
      earlyDrops: 0,
      tcpStates: new Set(),
      sweeps: 0,
      byConfig: {},
    };
    const perRun = LONG ? 25_000 : 3_000;
    const seeds = LONG ? 8 : 1;
    for (const config of CONFIGS) {
      for (let s = 1; s <= seeds; s++) run(config, s * 7919 + config.hashSeed, perRun, stats);
    }
    console.log(
      `conntrack differential: ${stats.packets} packets, ${stats.checkpoints} checkpoints (up to ${stats.maxEntries} entries, ${stats.earlyDrops} early drops, ${stats.sweeps} swept, TCP states ${[...stats.tcpStates].sort((a, b) => a - b)}), results ${JSON.stringify(stats.kinds)}, per configuration ${JSON.stringify(stats.byConfig)}, ${stats.divergences.length} divergences`,
    );
    expect(stats.packets).toBeGreaterThanOrEqual(10_000);
    expect(stats.earlyDrops).toBeGreaterThan(0);
    expect(stats.sweeps).toBeGreaterThan(0);
    expect(stats.byConfig['full table, expiry under churn']?.earlyDrops).toBeGreaterThan(0);
    expect(stats.kinds.RELATED_REPLY).toBeGreaterThan(0);
    expect(stats.divergences).toEqual([]);
  });
});
