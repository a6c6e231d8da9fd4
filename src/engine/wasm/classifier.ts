// The host side of the WebAssembly classifier: one instance per compiled table, the table
// copied into linear memory once (without the strings only the host reads: table-image.ts), an
// interface registry, and batches laid out in memory so one classify() call decides every
// packet of a batch. statistic and quota keep their state in that memory (assembly/state.ts)
// and MARK runs there; NAT and the other targets stay on the host.

import type { CompiledTable } from '../../compiler/compiled-table.js';
import { ACTION_KINDS, type ActionKind, NONE, Section } from '../../compiler/format.js';
import { WasmBatch } from './batch.js';
import { IFACE_WORDS } from './layout.js';
import {
  type ClassifierExports,
  type HostQuery,
  instantiateClassifier,
  type WasmBuild,
  wasmPath,
} from './module.js';
import { wasmTableImage } from './table-image.js';

const DEFAULT_PASS_ACTIONS: readonly ActionKind[] = ['LOG', 'NFLOG', 'TRACE', 'CHECKSUM', 'CLASSIFY'];

export interface WasmClassifierOptions {
  readonly build?: WasmBuild;
  /** Another file of the module than the build's (benchmarks comparing two builds in one process). */
  readonly wasmFile?: string;
  /**
   * Extension targets that only count and continue (default LOG, NFLOG, TRACE, and CHECKSUM and
   * CLASSIFY, which change nothing the engines model: src/engine/reference/targets/no-effect.ts).
   */
  readonly passActions?: readonly ActionKind[];
  /**
   * Seed of `statistic --mode random`'s generator: the draws are those of
   * `new Xoshiro128ss(seed)` (src/engine/conntrack/prng.ts), one per evaluation (default 0).
   */
  readonly seed?: number;
  /** Interface registry capacity (names) and name bytes. */
  readonly interfaces?: number;
  /** Answers the packet path's host questions (the engine's; a lone classifier asks none). */
  readonly hostQuery?: HostQuery;
  /**
   * Replay a walk whose packet reads the same as an earlier one's in every field the reachable
   * rules test, instead of walking again (assembly/path/verdict-memo.ts; default true). Results
   * and counters are the same either way; off, every packet walks the rules (what the
   * benchmarks time as the walk's own cost).
   */
  readonly memo?: boolean;
}

const NAME_BYTES = 16 * 1024;

/** The interface registry's JavaScript side (WasmClassifier.registryState). */
export interface InterfaceRegistryState {
  readonly names: readonly string[];
  readonly namesAt: number;
  readonly namesEnd: number;
}

export class WasmClassifier {
  readonly exports: ClassifierExports;
  readonly ruleCount: number;
  readonly chainCount: number;
  private readonly ruleRecordsAt: number;
  /** Interface registry: entries, then the names' bytes. */
  readonly ifacesAt: number;
  private readonly ifaceCapacity: number;
  private namesAt: number;
  private namesEnd: number;
  private readonly ifaces = new Map<string, number>();
  private readonly ifaceNames: string[] = [];
  private readonly encoder = new TextEncoder();

  constructor(
    readonly table: CompiledTable,
    options: WasmClassifierOptions = {},
  ) {
    const build = options.build ?? 'release';
    const x = instantiateClassifier(build, options.wasmFile ?? wasmPath(build), options.hostQuery);
    this.exports = x;
    const bytes = wasmTableImage(table);
    const at = x.alloc(bytes.byteLength);
    new Uint8Array(x.memory.buffer, at, bytes.byteLength).set(bytes);
    this.ruleRecordsAt = x.loadTable(at) >>> 0;
    this.ruleCount = table.counts[Section.RULES];
    this.chainCount = table.counts[Section.CHAINS];
    let mask = 0;
    for (const k of options.passActions ?? DEFAULT_PASS_ACTIONS) mask |= 1 << ACTION_KINDS.indexOf(k);
    x.setPassActions(mask >>> 0);
    x.setClassifyMemo(options.memo === false ? 0 : 1);
    x.randomSeed((options.seed ?? 0) >>> 0);
    this.ifaceCapacity = options.interfaces ?? 1024;
    this.ifacesAt = x.alloc(this.ifaceCapacity * IFACE_WORDS * 4) >>> 0;
    this.namesAt = x.alloc(NAME_BYTES) >>> 0;
    this.namesEnd = this.namesAt + NAME_BYTES;
    this.interfaceIndex(''); // index 0: no interface (a locally generated packet's iif)
  }

  /** Registry index of an interface name (registered on first use). */
  interfaceIndex(name: string | null): number {
    const n = name ?? '';
    const known = this.ifaces.get(n);
    if (known !== undefined) return known;
    const utf8 = this.encoder.encode(n);
    const i = this.ifaces.size;
    if (i >= this.ifaceCapacity || i > 0xffff) throw new Error('nfwasm wasm: interface registry is full');
    if (this.namesAt + utf8.length > this.namesEnd) {
      this.namesAt = this.exports.alloc(NAME_BYTES) >>> 0;
      this.namesEnd = this.namesAt + NAME_BYTES;
    }
    const mem = this.exports.memory.buffer;
    new Uint8Array(mem, this.namesAt, utf8.length).set(utf8);
    const e = new Uint32Array(mem, this.ifacesAt + i * IFACE_WORDS * 4, IFACE_WORDS);
    e[0] = this.table.stringIds.get(n) ?? NONE;
    e[1] = this.namesAt;
    e[2] = utf8.length;
    this.namesAt += utf8.length;
    this.ifaces.set(n, i);
    this.ifaceNames.push(n);
    return i;
  }

  /** The interface registry's JavaScript side (its names in index order), for a snapshot. */
  registryState(): InterfaceRegistryState {
    return { names: [...this.ifaceNames], namesAt: this.namesAt, namesEnd: this.namesEnd };
  }

  /** Puts back a registryState (the linear memory it describes is put back by the caller). */
  restoreRegistry(s: InterfaceRegistryState): void {
    this.ifaces.clear();
    this.ifaceNames.length = 0;
    s.names.forEach((n, i) => {
      this.ifaces.set(n, i);
      this.ifaceNames.push(n);
    });
    this.namesAt = s.namesAt;
    this.namesEnd = s.namesEnd;
  }

  /** The name registered at `index` ('' for none). */
  interfaceName(index: number): string {
    return this.ifaceNames[index] ?? '';
  }

  /** A batch of up to `capacity` packets, `byteCapacity` IP bytes and `ctCapacity` CT records. */
  batch(capacity: number, byteCapacity = capacity * 1600, ctCapacity = capacity): WasmBatch {
    return new WasmBatch(this, capacity, byteCapacity, ctCapacity);
  }

  /** Decides every packet of the batch in one call; results in batch.results(). */
  classify(batch: WasmBatch): void {
    const l = batch.layout;
    this.exports.classify(batch.count, l.meta, l.ct, l.bytes, this.ifacesAt, l.results);
  }

  /** Walks the memo answered and memoizable walks it missed, since the table was loaded. */
  get walkMemo(): { readonly hits: number; readonly misses: number } {
    return { hits: this.exports.walkMemoHits() >>> 0, misses: this.exports.walkMemoMisses() >>> 0 };
  }

  /** Packets and bytes counted so far: rules 0..ruleCount-1, then each chain's policy. */
  counters(): { packets: BigUint64Array; bytes: BigUint64Array } {
    this.exports.settleWalkMemo();
    const rules = this.ruleCount;
    const n = rules + this.chainCount;
    const buffer = this.exports.memory.buffer;
    // Rule records of 4 u64 (table.ts ruleCores): the counters are the last two.
    const ruleWords = new BigUint64Array(buffer, this.ruleRecordsAt, rules * 4);
    const policies = new BigUint64Array(buffer, this.exports.policyCountersAt() >>> 0, this.chainCount * 2);
    const packets = new BigUint64Array(n);
    const bytes = new BigUint64Array(n);
    for (let i = 0; i < rules; i++) {
      packets[i] = ruleWords[4 * i + 2]!;
      bytes[i] = ruleWords[4 * i + 3]!;
    }
    for (let c = 0; c < this.chainCount; c++) {
      packets[rules + c] = policies[2 * c]!;
      bytes[rules + c] = policies[2 * c + 1]!;
    }
    return { packets, bytes };
  }

  resetCounters(): void {
    this.exports.resetCounters();
  }

  /** statistic nth counters and quotas back to their initial state; the generator reseeded. */
  resetState(seed = 0): void {
    this.exports.resetState();
    this.exports.randomSeed(seed >>> 0);
  }
}
