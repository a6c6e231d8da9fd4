// The WebAssembly engine: the ruleset compiled to a table, and received IPv4 datagrams run
// through conntrack, NAT, the routing decision and every hook's tables in WebAssembly
// (assembly/path/receive.ts), a batch per call, with the packets the host sends because of them
// (REJECT's replies, the kernel's answers) and its own `@local` packets down the output path
// (assembly/path/local-out.ts) into an emitted-packet area. Results are compact records; a
// packet's full PacketResult (the reference engine's shape) is built only when asked for.
//
// Frames on bridge ports go to their bridge in the path too (assembly/path/bridge-input.ts), and
// IPv4 fragments are reassembled and cut again there (assembly/path/defrag.ts,
// fragment-output.ts). What the path does not handle yet (IPv6, IP options, the host's own
// fragments and fragments on bridge ports, ICMP redirects, matches and targets the table walk
// leaves to the host) makes a batch stop with
// WasmPathUnsupported, after which this engine's state is not to be trusted: callers replay the
// trace on the reference engine (src/replay/replay-trace.ts).

import { compile } from '../../compiler/compile.js';
import type { CompiledTable } from '../../compiler/compiled-table.js';
import { Section } from '../../compiler/format.js';
import type { Host } from '../../host/index.js';
import { addressType, routeLookup } from '../../host/index.js';
import { formatAddress } from '../../ir/address.js';
import type { Chain, Hook, Rule, Ruleset, Table } from '../../ir/ruleset.js';
import { decodePacket, isDecodeError } from '../../wire/packet.js';
import type { ConntrackStats, TrackResult } from '../conntrack/index.js';
import { ctState, formatTuple } from '../conntrack/index.js';
import { RuleCounters } from '../counters.js';
import { checkPacketTime, checkPacketTimeWords } from '../packet-time.js';
import { createEngineState, type EngineState } from '../reference/engine-state.js';
import { LOCAL_INTERFACE } from '../reference/frame.js';
import { describeDecision } from '../reference/journey.js';
import type { EmittedPacket, Fate, PacketResult } from '../reference/result.js';
import type { DecidedBy } from '../verdict.js';
import { addressPrefixes, prefixRecord } from './address-classes.js';
import { bridgePorts, bridgeRecord } from './bridges.js';
import { type InterfaceRegistryState, WasmClassifier } from './classifier.js';
import {
  type ConntrackExports,
  CT_ENTRY_BYTES,
  CTINFOS,
  type WasmConnEntry,
  WasmConntrack,
} from './conntrack.js';
import { answerHostQuery, type InterfaceNames } from './host-answers.js';
import type { WasmBuild } from './module.js';

/** The path's exports (assembly/path/receive.ts) beyond the classifier's and conntrack's. */
interface PathExports {
  enginePlan(plan: number, rateTable: number): void;
  engineBridges(record: number): void;
  engineSnapshots(area: number): void;
  receiveBatch(n: number, frames: number, bytes: number, ifaces: number, out: number, first: number): number;
  initGenerated(records: number, capacity: number, bytes: number, byteCapacity: number, slots: number): void;
  emittedCount(): number;
  replySlotAreaBytes(): number;
  icmpRateTableBytes(): number;
  hostQueriesAsked(): number;
  setAddressPrefixes(record: number): void;
  walkMemoHits(): number;
  flowCacheHits(): number;
  flowCacheReplays(): number;
  /** Absent from builds before refusals (bench/engine-ab.bench.ts runs old builds). */
  flowCacheRefusals?(): number;
  /** Absent from builds before displacements were counted. */
  flowCacheDisplaced?(): number;
  walkMemoMisses(): number;
  setPrefetch(on: number): void;
  setFlowCache(on: number): void;
  prefetchedFrames(): number;
  ctPrngSeed(seed: number): void;
  defragAreaBytes(): number;
  initDefrag(area: number, completed: number, completedBytes: number, seconds: number): void;
}

const FRAME_WORDS = 8;
/**
 * Bytes left free after each frame in the batch: room for the packet path to grow a datagram in
 * place (TCPMSS adding its option; assembly/path/tcpmss-target.ts, FRAME_SLACK there too).
 */
export const FRAME_SLACK = 4;
const OUT_WORDS = 8;
const EMIT_WORDS = 8;
/** Frame flag: the host's own packet (assembly/path/receive.ts FRAME_LOCAL). */
const FRAME_LOCAL = 1 << 20;
const LINK_RAW = 0;
const LINK_ETHERNET = 1;
/** A frame the path must not take (the host marks it; the path reports it unsupported). */
const LINK_OTHER = 2;
const NONE = 0xffffffff;
const POLICY_BIT = 0x80000000;
const CT_KIND_NONE = 0xff;

const FATE_FORWARDED = 1;
const FATE_DELIVERED = 2;
const FATE_DROPPED = 3;
const FATE_REJECTED = 4;
/** A fragment held for reassembly; the reason word is the defrag user (DEFRAG_USERS). */
const FATE_QUEUED = 7;
/** Drop reasons of defrag: this bit | user << 4 | what (assembly/path/defrag.ts DROP_*). */
const D_DEFRAG = 0x40;
/** Where each defrag user holds fragments (src/engine/reference/reassembly.ts). */
const DEFRAG_WHERE = [
  'nf_defrag_ipv4 (PREROUTING, before raw)',
  'nf_defrag_ipv4 (OUTPUT, before raw)',
  'ip_local_deliver (before INPUT)',
];
/** FATE_FORWARDED's reason for a packet the host sent: it is among the emitted packets. */
const FORWARDED_GENERATED = 1;
/** FATE_FORWARDED's reason for a frame bridged between two ports of a bridge. */
const FORWARDED_BRIDGED = 2;
/** A bridge port word: every port of the bridge (assembly/path/bridge-fdb.ts PORT_FLOOD). */
const PORT_FLOOD = 0xffffffff;

const HOOKS: readonly Hook[] = ['prerouting', 'input', 'forward', 'output', 'postrouting'];
const MAX_STEPS = 15;
const STEP = { table: 1, filter: 2, nat: 3, conntrack: 4, confirm: 5, defrag: 6 } as const;
const PLAN_CHECKSUM = 1;
const PLAN_FORWARD = 2;
/** Words after the hooks: icmp_ratelimit, icmp_ratemask, ip_default_ttl, flags, lo's index. */
const PLAN_EXTRA_WORDS = 5;
const PLAN_ECHO_IGNORE_ALL = 1;
const PLAN_BRIDGE_NF_CALL_IPTABLES = 2;

/** Why a frame left the path (receive.ts U_*). */
const UNSUPPORTED_REASONS: Readonly<Record<number, string>> = {
  1: 'a link layer it does not take (VLAN, SLL, IPv6, non-IP)',
  2: 'an IPv4 header with options or a bad length',
  3: 'a fragment the host sends itself or one on a bridge port',
  4: 'a short or malformed transport header',
  5: 'an ICMP redirect',
  6: 'a match or target its table walk does not run yet',
  9: 'a bridged frame that must leave in fragments',
  12: 'a hook step it does not know',
  13: 'more replies or emitted packets than a batch holds',
  14: "more remote addresses than ICMP's rate-limit table holds",
  16: 'a reply that would bind source NAT on a connection its packet never confirmed',
  18: "more stations than the bridge's forwarding database or neighbour table holds",
  19: 'more fragment queues, fragments in one queue or reassembled bytes in a batch than it holds',
  20: 'fragments flooded to several bridge ports',
  21: 'a new connection with no connection record free below nf_conntrack_max (records kept for NAT after REJECTs of unconfirmed connections)',
};

/** Why the host sent a packet (assembly/path/generated.ts C_*), its parameter p. */
const CAUSES: Readonly<Record<number, (p: number) => string>> = {
  0: () => 'forwarded',
  1: () => 'sent by the host',
  2: () => 'REJECT tcp-reset',
  3: (p) => `REJECT icmp code ${p}`,
  4: () => 'kernel RST: nothing listens on the port',
  5: () => 'kernel: port unreachable, nothing listens',
  6: () => 'ICMP echo reply',
  7: (p) => `${p & 0x10000 ? 'proxy' : 'listener'} tcp/${p & 0xffff} SYN-ACK`,
  8: () => 'ip_forward: time exceeded',
  9: () => 'ip_forward: fragmentation needed',
  10: () => 'ip_fragment: fragmentation needed',
  11: () => 'protocol unreachable',
  12: (p) => `ip_error: destination unreachable code ${p}`,
  13: () => 'bridged',
  14: () => 'ip_expire: fragment reassembly time exceeded',
};

const DELIVERED_TO: Readonly<Record<number, string>> = {
  4: 'kernel (closed TCP port: RST)',
  5: 'kernel (closed UDP port: port unreachable)',
  6: 'kernel (ICMP echo: reply)',
  7: 'kernel (ICMP echo ignored)',
};

const DROP_REASONS: Readonly<Record<number, string>> = {
  1: 'bad IPv4 header checksum (ip_rcv_core drops it before netfilter)',
  2: 'conntrack: nf_conntrack: table full, dropping packet',
  3: 'conntrack confirm: dropped',
  4: 'nat: null binding failed',
  5: 'nat: the packet is too short to rewrite',
  6: 'forwarding is off (net.ipv4.ip_forward = 0)',
  8: 'RST to a closed TCP port',
  10: 'TTL exceeded (ip_forward)',
  12: 'bad ICMP checksum (icmp_rcv)',
  16: 'nat: redirect before NAT setup',
  17: 'bad IPv4 header checksum (br_validate_ipv4)',
  20: 'conntrack: connection is being destroyed',
  21: 'conntrack: reopened connection could not be replaced',
};

/** A fragment queue as defrag.ts describes it: addresses, protocol, IP id. */
function fragmentQueue(ip: Uint8Array): string {
  const a = (o: number) => `${ip[o]}.${ip[o + 1]}.${ip[o + 2]}.${ip[o + 3]}`;
  return `${a(12)} > ${a(16)} proto ${ip[9]} id ${(ip[4]! << 8) | ip[5]!}`;
}

export class WasmPathUnsupported extends Error {
  constructor(
    /** Index of the frame in its batch. */
    readonly frame: number,
    readonly reason: string,
  ) {
    super(`the WebAssembly engine does not handle ${reason}`);
  }
}

export interface WasmEngineOptions {
  /** Seed of the run's random choices, as the reference engine's (default 1). */
  readonly seed?: number;
  readonly build?: WasmBuild;
  /** Another file of the module than the build's (benchmarks comparing two builds in one process). */
  readonly wasmFile?: string;
  /** Frames per batch (default 4096). */
  readonly batchSize?: number;
  /** Packet bytes per batch (default batchSize * 1600). */
  readonly batchBytes?: number;
  /**
   * Read the next frames' flows and connections ahead, in groups (assembly/path/batch-prefetch.ts;
   * default true). The results are the same.
   */
  readonly prefetch?: boolean;
  /**
   * Look up and record flows (assembly/path/flow-cache.ts; default true). The results are the
   * same: off, every packet takes the whole way.
   */
  readonly flowCache?: boolean;
}

/** A capture interface: its registry index, whether the path takes its frames, whether it is `@local`. */
interface Ingress {
  readonly index: number;
  readonly routed: boolean;
  readonly local: boolean;
}

/**
 * A WasmEngine's whole state between batches (WasmEngine.snapshot): its linear memory, the
 * module's mutable globals, and the little the JavaScript side keeps. It restores only into an
 * engine made from the same ruleset, host and options (the same table layout).
 */
export interface WasmEngineSnapshot {
  readonly memory: Uint8Array;
  /** Values of the module's mutable globals, by export name (global-exports.ts). */
  readonly globals: ReadonlyMap<string, number | bigint>;
  readonly registry: InterfaceRegistryState;
  readonly lastIndex: number;
  readonly lastNow: bigint;
  /** The compiled table and the batch's sizes, which a restoring engine must share. */
  readonly layout: string;
}

/** WebAssembly.Global as the snapshot reads and writes it. */
interface WasmGlobal {
  value: number | bigint;
}

/** Where each compiled rule and chain came from in the IR. */
interface Origins {
  readonly rules: { table: Table; chain: Chain; rule: Rule; index: number }[];
  readonly chains: { table: Table; chain: Chain }[];
  readonly chainIndex: Map<Chain, number>;
}

function origins(ruleset: Ruleset): Origins {
  const o: Origins = { rules: [], chains: [], chainIndex: new Map() };
  for (const table of ruleset.tables)
    for (const chain of table.chains) {
      o.chainIndex.set(chain, o.chains.length);
      o.chains.push({ table, chain });
      chain.rules.forEach((rule, index) => {
        o.rules.push({ table, chain, rule, index });
      });
    }
  return o;
}

export class WasmEngine {
  readonly table: CompiledTable;
  readonly classifier: WasmClassifier;
  readonly conntrack: WasmConntrack;
  readonly batchSize: number;
  private readonly x: PathExports & ConntrackExports;
  private readonly state: EngineState;
  private readonly origins: Origins;
  /** Per capture interface: its registry index, and whether the path takes its frames at all. */
  private readonly ingress = new Map<string, Ingress>();
  /** The last ingressOf question and answer. */
  private lastIif = '';
  private lastIngress: Ingress | undefined;
  /** Byte-area offset of source offset 0 of the last copySpan. */
  private spanBase = 0;
  private readonly frames: number;
  private readonly bytes: number;
  private readonly out: number;
  private readonly emitRecords: number;
  private readonly byteCapacity: number;
  private readonly emitBytes: number;
  /** Per frame of a batch, its connection as the frame left it (receive.ts ctSnapshots). */
  private readonly packetConnectionArea: number;
  private packetConnectionsOn = true;
  /** Per frame of the last run: its first emitted record, and the end (emitStart[k + 1]). */
  private emitStart: number[] = [];
  private count = 0;
  private used = 0;
  /** The last frame's index in the trace (add's default is the next one). */
  private lastIndex = 0;
  private links: string[] = [];
  /** Frames of the last run that do not decode (the reference engine's `malformed` fate). */
  private malformed = new Map<number, string>();
  private lastNow = 0n;
  private buffer: ArrayBuffer | null = null;
  private u8 = new Uint8Array(0);
  private u32 = new Uint32Array(0);
  private dv = new DataView(new ArrayBuffer(0));

  constructor(
    readonly ruleset: Ruleset,
    readonly host: Host,
    options: WasmEngineOptions = {},
  ) {
    const seed = options.seed ?? 1;
    if (ruleset.family !== 'ipv4') throw new WasmPathUnsupported(0, 'an IPv6 ruleset');
    this.state = createEngineState(ruleset, host, seed);
    this.origins = origins(ruleset);
    this.table = compile(ruleset, host);
    const names: InterfaceNames = {
      index: (n) => this.classifier.interfaceIndex(n),
      name: (i) => this.classifier.interfaceName(i),
    };
    this.classifier = new WasmClassifier(this.table, {
      ...(options.build ? { build: options.build } : {}),
      ...(options.wasmFile ? { wasmFile: options.wasmFile } : {}),
      hostQuery: (kind, a, b, c, out) => {
        const w = answerHostQuery(host, this.state.hostView, names, kind, a >>> 0, b >>> 0, c >>> 0);
        new Uint32Array(this.classifier.exports.memory.buffer, out >>> 0, 4).set(w);
      },
    });
    this.x = this.classifier.exports as unknown as PathExports & ConntrackExports;
    this.conntrack = new WasmConntrack(this.x, {
      settings: this.state.conntrack.settings,
      hashSeed: seed,
      batchSize: 1,
    });
    this.x.ctPrngSeed(seed >>> 0);
    if (options.prefetch === false) this.x.setPrefetch(0);
    if (options.flowCache === false) this.x.setFlowCache(0);
    this.batchSize = options.batchSize ?? 4096;
    this.byteCapacity = options.batchBytes ?? this.batchSize * 1600;
    this.frames = this.x.alloc(this.batchSize * FRAME_WORDS * 4) >>> 0;
    this.out = this.x.alloc(this.batchSize * OUT_WORDS * 4) >>> 0;
    this.bytes = this.x.alloc(this.byteCapacity + 64) >>> 0;
    // Room for what one frame may cause even in small batches: replies, and a bridge's copies.
    const emitCapacity = Math.max(this.batchSize * 2, 256);
    const emitByteCapacity = Math.max(this.byteCapacity, 1 << 18);
    this.emitRecords = this.x.alloc(emitCapacity * EMIT_WORDS * 4) >>> 0;
    this.emitBytes = this.x.alloc(emitByteCapacity) >>> 0;
    const slots = this.x.alloc(this.x.replySlotAreaBytes()) >>> 0;
    this.x.initGenerated(this.emitRecords, emitCapacity, this.emitBytes, emitByteCapacity, slots);
    const rateTable = this.x.alloc(this.x.icmpRateTableBytes()) >>> 0;
    this.x.enginePlan(this.writePlan(), rateTable);
    const bridges = bridgeRecord(host, (n) => this.classifier.interfaceIndex(n));
    const bridgesAt = this.x.alloc(bridges.byteLength) >>> 0;
    new Uint32Array(this.x.memory.buffer, bridgesAt, bridges.length).set(bridges);
    this.x.engineBridges(bridgesAt);
    this.packetConnectionArea = this.x.alloc(this.batchSize * CT_ENTRY_BYTES) >>> 0;
    this.x.engineSnapshots(this.packetConnectionArea);
    const prefixes = prefixRecord(addressPrefixes(host));
    const at = this.x.alloc(prefixes.byteLength) >>> 0;
    new Uint32Array(this.x.memory.buffer, at, prefixes.length).set(prefixes);
    this.x.setAddressPrefixes(at);
    // The fragment queues, and room for the datagrams a batch completes (each up to 64 KiB).
    const defragArea = this.x.alloc(this.x.defragAreaBytes()) >>> 0;
    const completedBytes = Math.max(this.byteCapacity, 1 << 18) + 65536;
    const completed = this.x.alloc(completedBytes) >>> 0;
    this.x.initDefrag(defragArea, completed, completedBytes, host.sysctl.number('net.ipv4.ipfrag_time', 30));
  }

  /** The hook plan as the path reads it: flags, then per hook its steps. */
  private writePlan(): number {
    const extra = 1 + HOOKS.length * (1 + MAX_STEPS);
    const words = new Uint32Array(extra + PLAN_EXTRA_WORDS);
    let flags = 0;
    if (this.state.conntrack.settings.checksum) flags |= PLAN_CHECKSUM;
    if (this.host.sysctl.number('net.ipv4.ip_forward') !== 0) flags |= PLAN_FORWARD;
    words[0] = flags;
    HOOKS.forEach((hook, h) => {
      const at = 1 + h * (1 + MAX_STEPS);
      let n = 0;
      for (const step of this.state.plan[hook]) {
        let word: number;
        if (step.kind === 'table') {
          const kind =
            step.table.name === 'nat' ? STEP.nat : step.table.name === 'filter' ? STEP.filter : STEP.table;
          word = (kind << 24) | this.origins.chainIndex.get(step.chain)!;
        } else word = STEP[step.kind] << 24;
        if (n === MAX_STEPS) throw new Error(`nfwasm wasm: more than ${MAX_STEPS} steps at ${hook}`);
        words[at + 1 + n++] = word >>> 0;
      }
      words[at] = n;
    });
    const sysctl = this.host.sysctl;
    words[extra] = sysctl.number('net.ipv4.icmp_ratelimit', 1000);
    words[extra + 1] = sysctl.number('net.ipv4.icmp_ratemask', 6168);
    words[extra + 2] = sysctl.number('net.ipv4.ip_default_ttl', 64);
    words[extra + 3] =
      (sysctl.number('net.ipv4.icmp_echo_ignore_all') !== 0 ? PLAN_ECHO_IGNORE_ALL : 0) |
      (sysctl.number('net.bridge.bridge-nf-call-iptables') !== 0 ? PLAN_BRIDGE_NF_CALL_IPTABLES : 0);
    words[extra + 4] = this.classifier.interfaceIndex(this.loopbackName());
    const p = this.x.alloc(words.byteLength) >>> 0;
    new Uint32Array(this.x.memory.buffer, p, words.length).set(words);
    return p;
  }

  private layoutKey: string | undefined;

  /** The compiled table (its size and a hash of its words) and the batch's sizes. */
  private layout(): string {
    if (this.layoutKey === undefined) {
      const words = new Uint32Array(this.table.buffer, 0, this.table.buffer.byteLength >>> 2);
      let h = 0x811c9dc5;
      for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
      this.layoutKey = `${this.table.buffer.byteLength}/${(h >>> 0).toString(16)}/${this.batchSize}/${this.byteCapacity}`;
    }
    return this.layoutKey;
  }

  private globals(): [string, WasmGlobal][] {
    return Object.entries(this.x as unknown as Record<string, unknown>).filter(
      (e): e is [string, WasmGlobal] => /^g\d+$/.test(e[0]),
    );
  }

  /**
   * The engine's whole state — connections, NAT bindings, counters, stateful matches' state,
   * caches, the generator — to restore later, here or in another engine made from the same
   * ruleset, host and options (a simulator's checkpoint, a what-if from the same point). Only
   * between batches: run the pending frames first.
   */
  snapshot(): WasmEngineSnapshot {
    if (this.count > 0) throw new Error('WasmEngine.snapshot: frames are pending (run the batch first)');
    return {
      memory: new Uint8Array(this.x.memory.buffer).slice(),
      globals: new Map(this.globals().map(([name, g]) => [name, g.value])),
      registry: this.classifier.registryState(),
      lastIndex: this.lastIndex,
      lastNow: this.lastNow,
      layout: this.layout(),
    };
  }

  /** Puts back a snapshot (of this engine or of one made from the same ruleset, host and options). */
  restore(s: WasmEngineSnapshot): void {
    if (this.count > 0)
      throw new Error('WasmEngine.restore: frames are pending (run or clear the batch first)');
    if (s.layout !== this.layout())
      throw new Error('WasmEngine.restore: the snapshot is of an engine with another table or batch size');
    const memory = this.x.memory as unknown as { buffer: ArrayBuffer; grow(pages: number): number };
    const missing = s.memory.byteLength - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
    const now = new Uint8Array(memory.buffer);
    now.set(s.memory);
    now.fill(0, s.memory.byteLength);
    for (const [name, g] of this.globals()) {
      const v = s.globals.get(name);
      if (v === undefined) throw new Error(`WasmEngine.restore: the snapshot lacks global ${name}`);
      g.value = v;
    }
    this.classifier.restoreRegistry(s.registry);
    // Derived from the registry: asked again as frames come.
    this.ingress.clear();
    this.lastIif = '';
    this.lastIngress = undefined;
    this.lastIndex = s.lastIndex;
    this.lastNow = s.lastNow;
    this.malformed.clear();
    this.views();
  }

  private views(): void {
    const b = this.x.memory.buffer;
    if (b !== this.buffer) {
      this.buffer = b;
      this.u8 = new Uint8Array(b);
      this.u32 = new Uint32Array(b);
      this.dv = new DataView(b);
    }
  }

  private loopbackName(): string {
    return this.host.interfaces.find((i) => i.kind === 'loopback')?.name ?? 'lo';
  }

  private ingressOf(iif: string): Ingress {
    // Frames come in runs from one interface: the last answer saves a map lookup per frame.
    if (iif === this.lastIif && this.lastIngress) return this.lastIngress;
    let e = this.ingress.get(iif);
    if (!e) {
      // `@local` frames go down the output path; a bridge port's to its bridge first.
      const local = iif === LOCAL_INTERFACE;
      const routed = !iif.startsWith('@');
      e = { index: local ? 0 : this.classifier.interfaceIndex(iif), routed: routed || local, local };
      this.ingress.set(iif, e);
    }
    this.lastIif = iif;
    this.lastIngress = e;
    return e;
  }

  /** Frames in the current batch. */
  get pending(): number {
    return this.count;
  }

  /** Room for one more frame of `length` bytes. */
  fits(length: number): boolean {
    return this.count < this.batchSize && this.used + length + FRAME_SLACK <= this.byteCapacity;
  }

  /**
   * Appends a frame to the batch (fits() must hold). `index` is its 1-based number in the trace,
   * which its random draws derive from (default: one more than the previous frame's).
   */
  add(bytes: Uint8Array, linkType: string, iif: string, timestampNs: bigint, index?: number): void {
    checkPacketTime(timestampNs);
    const w = this.place(bytes.length, linkType, iif, index);
    this.u8.set(bytes, this.bytes + this.u32[w]!);
    this.dv.setBigInt64((w + 4) * 4, timestampNs, true);
  }

  /** Bytes the batch still takes (a span's, with its slack). */
  get freeBytes(): number {
    return this.byteCapacity - this.used;
  }

  /** Frames the batch still takes. */
  get freeFrames(): number {
    return this.batchSize - this.count;
  }

  /**
   * Copies source[start, end) into the batch in one piece (end - start <= freeBytes), for frames
   * added with addInSpan (src/replay/frame-spans.ts: one copy per run of frames, not per frame).
   * Whatever follows a frame within the span (its capture file's record trailer, then the next
   * record's header) is at least FRAME_SLACK bytes, room for the frame to grow into. `end` may
   * pass the source's end (that room is reserved, not copied).
   */
  copySpan(source: Uint8Array, start: number, end: number): void {
    this.fillSpan(start, end, (view, at) =>
      view.set(source.subarray(start, Math.min(end, source.length)), at),
    );
  }

  /**
   * copySpan for a source `fill` writes itself (a file read): it is given the batch's bytes, where
   * the span goes and its length. `start` and `end` are in the source's coordinates, as the
   * frames' offsets given to addInSpan.
   */
  fillSpan(start: number, end: number, fill: (view: Uint8Array, at: number, length: number) => void): void {
    if (this.u32.length === 0) this.views();
    fill(this.u8, this.bytes + this.used, end - start);
    this.spanBase = this.used - start;
    this.used += end - start;
  }

  /** A frame of the last copySpan: `start` and `length` in its source's coordinates. */
  addInSpan(
    start: number,
    length: number,
    linkType: string,
    iif: string,
    timestampLo: number,
    timestampHi: number,
    index: number,
  ): void {
    checkPacketTimeWords(timestampLo, timestampHi);
    const w = this.placeAt(this.spanBase + start, length, linkType, iif, index);
    this.u32[w + 4] = timestampLo;
    this.u32[w + 5] = timestampHi;
  }

  /** A frame's record in the batch, all but its bytes and timestamp; returns its first word. */
  private place(length: number, linkType: string, iif: string, index: number | undefined): number {
    const w = this.placeAt(this.used, length, linkType, iif, index);
    this.used += length + FRAME_SLACK;
    return w;
  }

  /** place() for a frame already at `offset` of the byte area. */
  private placeAt(
    offset: number,
    length: number,
    linkType: string,
    iif: string,
    index: number | undefined,
  ): number {
    this.lastIndex = index ?? this.lastIndex + 1;
    // Memory grows only in calls into the module, which detach the old views (length 0).
    if (this.u32.length === 0) this.views();
    const ingress = this.ingressOf(iif);
    const link = !ingress.routed
      ? LINK_OTHER
      : linkType === 'ethernet'
        ? LINK_ETHERNET
        : linkType === 'raw-ipv4'
          ? LINK_RAW
          : LINK_OTHER;
    const ifIndex = ingress.index;
    const w = (this.frames >>> 2) + this.count * FRAME_WORDS;
    this.u32[w] = offset;
    this.u32[w + 1] = length;
    this.u32[w + 2] = (ifIndex | (link << 16) | (ingress.local ? FRAME_LOCAL : 0)) >>> 0;
    this.u32[w + 3] = this.lastIndex >>> 0;
    this.u32[w + 6] = Math.floor(this.lastIndex / 0x1_0000_0000) >>> 0;
    this.u32[w + 7] = 0;
    this.links[this.count] = linkType;
    this.count++;
    return w;
  }

  /** Frame k's timestamp (ns). */
  timestampOf(k: number): bigint {
    this.views();
    return this.dv.getBigInt64(((this.frames >>> 2) + k * FRAME_WORDS + 4) * 4, true);
  }

  /**
   * Runs the batch; results stay readable (fateOf, result) until the next add after clear().
   * Throws WasmPathUnsupported for the first frame the path does not handle.
   */
  run(): void {
    const n = this.count;
    if (n === 0) return;
    this.malformed.clear();
    let done = this.x.receiveBatch(n, this.frames, this.bytes, this.classifier.ifacesAt, this.out, 0) >>> 0;
    // A frame that does not decode only counts as malformed (receiveFrame): the path goes on
    // after it.
    for (let why = this.malformedReason(done); done < n && why !== null; why = this.malformedReason(done)) {
      this.malformed.set(done, why);
      done =
        this.x.receiveBatch(n, this.frames, this.bytes, this.classifier.ifacesAt, this.out, done + 1) >>> 0;
    }
    this.lastNow = this.timestampOf(n - 1);
    this.indexEmitted(n);
    if (done < n) {
      this.views();
      const w = (this.out >>> 2) + done * OUT_WORDS;
      const why = this.u32[w]! >>> 8;
      const rule = this.u32[w + 1]!;
      const at = why === 6 && rule < this.origins.rules.length ? this.origins.rules[rule]! : undefined;
      const where = at ? ` (${describeDecision({ kind: 'rule', ...at } as DecidedBy)})` : '';
      throw new WasmPathUnsupported(done, `${UNSUPPORTED_REASONS[why] ?? `case ${why}`}${where}`);
    }
  }

  /**
   * Why frame k is malformed to the reference engine (decodePacket's error, or an IP length
   * past the capture), or null. A bridge port's frame has taught its bridge its sender first.
   */
  private malformedReason(k: number): string | null {
    if (k >= this.count) return null;
    this.views();
    const w = (this.frames >>> 2) + k * FRAME_WORDS;
    const at = this.bytes + this.u32[w]!;
    const frame = this.u8.subarray(at, at + this.u32[w + 1]!);
    const d = decodePacket(frame, this.links[k] as Parameters<typeof decodePacket>[1]);
    if (isDecodeError(d)) return `${d.layer}: ${d.error}`;
    const available = frame.length - d.l3Offset;
    if (d.ipLength > available) return `truncated: IP length ${d.ipLength}, ${available} bytes captured`;
    return null;
  }

  /** emitStart from the emitted records (in frame order). */
  private indexEmitted(n: number): void {
    this.views();
    const count = this.x.emittedCount() >>> 0;
    const start = new Array<number>(n + 1);
    let r = 0;
    for (let k = 0; k <= n; k++) {
      while (r < count && this.u32[(this.emitRecords >>> 2) + r * EMIT_WORDS]! < k) r++;
      start[k] = r;
    }
    this.emitStart = start;
  }

  /**
   * Whether each packet's connection is copied as the packet left it, for result(k)'s
   * `conntrack.entry` (on by default). A run that reads no packet's result turns it off: two
   * 128-byte copies a packet fewer.
   */
  get packetConnections(): boolean {
    return this.packetConnectionsOn;
  }

  set packetConnections(on: boolean) {
    this.packetConnectionsOn = on;
    this.x.engineSnapshots(on ? this.packetConnectionArea : 0);
  }

  /** Empties the batch for the next frames. */
  clear(): void {
    this.count = 0;
    this.used = 0;
  }

  /** The fate kind of frame k of the last run. */
  fateOf(k: number): Fate['kind'] {
    this.views();
    if (this.malformed.has(k)) return 'malformed';
    const f = this.u32[(this.out >>> 2) + k * OUT_WORDS]! & 0xff;
    return f === FATE_FORWARDED
      ? 'forwarded'
      : f === FATE_DELIVERED
        ? 'delivered'
        : f === FATE_REJECTED
          ? 'rejected'
          : f === FATE_QUEUED
            ? 'queued'
            : 'dropped';
  }

  private decided(word: number): DecidedBy | undefined {
    if (word === NONE) return undefined;
    if (word & POLICY_BIT) {
      const c = this.origins.chains[(word & ~POLICY_BIT) >>> 0]!;
      return { kind: 'policy', table: c.table, chain: c.chain } as DecidedBy;
    }
    const r = this.origins.rules[word]!;
    return { kind: 'rule', table: r.table, chain: r.chain, rule: r.rule, index: r.index } as DecidedBy;
  }

  /** Frame k's result in the reference engine's terms (its emitted bytes copied). */
  result(k: number): PacketResult {
    const malformed = this.malformed.get(k);
    if (malformed !== undefined) {
      // Fragment queues that expired before it may still have sent ICMP.
      const emitted: EmittedPacket[] = [];
      this.emittedOf(k, emitted);
      return { fate: { kind: 'malformed', reason: malformed }, emitted, conntrack: null };
    }
    this.views();
    const w = (this.out >>> 2) + k * OUT_WORDS;
    const fate = this.u32[w]! & 0xff;
    const reason = this.u32[w]! >>> 8;
    const ctWord = this.u32[w + 3]!;
    // A reassembled datagram lies outside the packet area: the offset wraps around.
    const ipAt = (this.bytes + this.u32[w + 5]!) >>> 0;
    const ipBytes = this.u8.slice(ipAt, ipAt + this.u32[w + 6]!);
    const emitted: EmittedPacket[] = [];
    if (fate === FATE_QUEUED) {
      this.emittedOf(k, emitted);
      const f: Fate = { kind: 'queued', reason: this.heldReason(ipBytes, w) };
      return { fate: f, emitted, conntrack: this.ctOf(ctWord, k) };
    }
    const decidedBy = this.decided(this.u32[w + 1]!);
    const oif = this.classifier.interfaceName(this.u32[w + 2]!);
    let f: Fate;
    if (fate === FATE_FORWARDED && reason === FORWARDED_GENERATED) {
      f = { kind: 'forwarded', oif };
    } else if (fate === FATE_FORWARDED) {
      const ports = this.ports(oif, this.u32[w + 7]!);
      const cause = reason === FORWARDED_BRIDGED ? 'bridged' : 'forwarded';
      for (const port of ports ?? [undefined])
        emitted.push({
          oif,
          ...(port ? { port } : {}),
          bytes: ports && ports.length > 1 ? ipBytes.slice() : ipBytes,
          cause,
          ...(decidedBy ? { decidedBy } : {}),
        });
      f = { kind: 'forwarded', oif };
    } else if (fate === FATE_DELIVERED) {
      f = { kind: 'delivered', to: this.deliveredTo(reason, ipBytes) };
    } else if (fate === FATE_DROPPED) {
      const text =
        reason === 0 && decidedBy ? describeDecision(decidedBy) : this.dropReason(reason, ipBytes, k);
      f = { kind: 'dropped', reason: text, ...(reason === 0 && decidedBy ? { decidedBy } : {}) };
    } else if (fate === FATE_REJECTED && decidedBy) {
      f = { kind: 'rejected', decidedBy };
    } else throw new Error(`nfwasm wasm: frame ${k} has fate ${fate}`);
    this.emittedOf(k, emitted);
    return { fate: f, emitted, conntrack: this.ctOf(ctWord, k) };
  }

  /** The packets frame k made the host send (REJECT's replies, the kernel's answers, its own). */
  private emittedOf(k: number, emitted: EmittedPacket[]): void {
    for (let r = this.emitStart[k] ?? 0; r < (this.emitStart[k + 1] ?? 0); r++) {
      const e = (this.emitRecords >>> 2) + r * EMIT_WORDS;
      const oif = this.classifier.interfaceName(this.u32[e + 1]!);
      const at = this.emitBytes + this.u32[e + 3]!;
      const bytes = this.u8.slice(at, at + this.u32[e + 4]!);
      const causeWord = this.u32[e + 5]!;
      const cause = CAUSES[causeWord & 0xff]?.(causeWord >>> 8) ?? `cause ${causeWord & 0xff}`;
      const decidedBy = this.decided(this.u32[e + 6]!);
      const ports = this.ports(oif, this.u32[e + 7]!);
      for (const port of ports ?? [undefined])
        emitted.push({
          oif,
          ...(port ? { port } : {}),
          bytes: ports && ports.length > 1 ? bytes.slice() : bytes,
          cause,
          ...(decidedBy ? { decidedBy } : {}),
        });
    }
  }

  /** The bridge ports a packet out of `oif` leaves by (a port word), or undefined for no bridge. */
  private ports(oif: string, word: number): string[] | undefined {
    if (word === 0) return undefined;
    if (word === PORT_FLOOD) return bridgePorts(this.host, oif);
    return [this.classifier.interfaceName(word)];
  }

  private deliveredTo(reason: number, ip: Uint8Array): string {
    const d = decodePacket(ip, 'raw-ipv4');
    if (isDecodeError(d)) return 'kernel';
    if (reason === 3) return `kernel (protocol ${d.protocol})`;
    if (reason === 8) return `kernel (protocol ${d.protocol}: protocol unreachable)`;
    const known = DELIVERED_TO[reason];
    if (known) return known;
    const proto = d.protocol === 6 ? 'tcp' : 'udp';
    return `${reason === 2 ? 'proxy' : 'listener'} ${proto}/${d.dstPort ?? 0}`;
  }

  /** A held fragment's reason, as reassembly.ts words it (words 1, 2, 7: held, meat, len | last in). */
  private heldReason(ip: Uint8Array, w: number): string {
    const offset = ((ip[6]! << 8) | ip[7]!) & 0x1fff;
    const held = this.u32[w + 1]!;
    const meat = this.u32[w + 2]!;
    const lenWord = this.u32[w + 7]!;
    const known =
      lenWord & 0x80000000
        ? `${meat} of ${lenWord & 0x7fffffff} bytes`
        : `${meat} bytes so far, the last fragment not yet seen`;
    const which = offset === 0 ? 'the first fragment' : `the fragment at offset ${offset * 8}`;
    return `held for reassembly (${which} of ${fragmentQueue(ip)}; ${held} fragment${held === 1 ? '' : 's'} held, ${known})`;
  }

  /** Why defrag dropped a fragment (or the datagram it completed), as defrag.ts words it. */
  private defragDropReason(reason: number, ip: Uint8Array, w: number): string {
    const where = DEFRAG_WHERE[(reason >>> 4) & 3] ?? 'defrag';
    const field = (ip[6]! << 8) | ip[7]!;
    const offset = (field & 0x1fff) << 3;
    let end = offset + ((ip[2]! << 8) | ip[3]!) - 20;
    if (field & 0x2000) end &= ~7;
    const q = fragmentQueue(ip);
    const what: Record<number, string> = {
      3: `a last fragment ending at ${end} contradicts the queue: ${q} dropped`,
      4: `a fragment beyond the datagram's end: ${q} dropped`,
      5: `an empty fragment: ${q} dropped`,
      6: `duplicate fragment (bytes ${offset}-${end} already held): dropped`,
      7: `fragment bytes ${offset}-${end} overlap what is held: the whole datagram (${q}) dropped`,
      8: `fragments disagree on ECN: ${q} dropped`,
      9: `oversized datagram (${this.u32[w + 7]!} bytes): ${q} dropped`,
    };
    return `${where}: ${what[reason & 15] ?? 'dropped'}`;
  }

  private dropReason(reason: number, ip: Uint8Array, k: number): string {
    const known = DROP_REASONS[reason];
    if (known) return known;
    if (reason & D_DEFRAG) return this.defragDropReason(reason, ip, (this.out >>> 2) + k * OUT_WORDS);
    const d = decodePacket(ip, 'raw-ipv4');
    if (isDecodeError(d)) return 'dropped';
    const w = (this.out >>> 2) + k * OUT_WORDS;
    if (reason === 11) {
      const oif = this.classifier.interfaceName(this.u32[w + 2]!);
      return `fragmentation needed: ${ip.length} bytes with DF, ${oif}'s MTU is ${this.u32[w + 7]!} (ip_forward)`;
    }
    if (reason === 15) return `fragmentation needed: ${ip.length} bytes with DF (ip_fragment)`;
    if (reason === 18)
      return `bridge ${this.classifier.interfaceName(this.u32[w + 2]!)}: the destination is on the ingress port (no hairpin mode)`;
    if (reason === 19)
      return `bridged DNAT: no neighbour entry for ${formatAddress('ipv4', [this.u32[w + 7]!])}`;
    if (reason === 13 || reason === 14) {
      // local-out.ts routeOutput's lookups, again: the source counts when it is the host's.
      const src = d.src[0]!;
      const own = addressType(this.host, { family: 'ipv4', words: [src] }) === 'local';
      const mark = reason === 14 ? { mark: this.u32[w + 7]! } : {};
      const r = routeLookup(this.host, d.dst[0]!, own ? { ...mark, src } : mark);
      if (r.ok) return `dropped (${reason})`;
      return reason === 13
        ? `output routing: ${r.errno} (${r.reason})`
        : `re-routing after OUTPUT: ${r.errno}`;
    }
    const iif = this.classifier.interfaceName(this.u32[(this.frames >>> 2) + k * FRAME_WORDS + 2]! & 0xffff);
    const r = routeLookup(this.host, d.dst[0]!, { iif, src: d.src[0]! });
    if (reason === 7 && !r.ok) return `routing: ${r.errno} (${r.reason})`;
    if (reason === 9)
      return `${r.ok && r.type === 'multicast' ? 'multicast' : 'broadcast'} to this host: no socket modelled`;
    return `dropped (${reason}) to ${formatAddress('ipv4', d.dst)}`;
  }

  private ctOf(word: number, k: number): PacketResult['conntrack'] {
    if (word === CT_KIND_NONE) return null;
    const kind = word & 0xff;
    if (kind === 2) return { state: 'UNTRACKED', entry: null };
    if (kind !== 0) return { state: 'INVALID', entry: null };
    const ctinfo = CTINFOS[(word >>> 8) & 0xff]!;
    if (!this.packetConnectionsOn)
      throw new Error('WasmEngine.result: connection snapshots are off (packetConnections)');
    const e = this.conntrack.entryAt(this.packetConnectionArea + k * CT_ENTRY_BYTES);
    const state = ctState({ kind: 'tracked', ctinfo } as TrackResult);
    return { state, entry: `${formatTuple(e.original)} -> ${formatTuple(e.reply)}` };
  }

  /** The ruleset with every rule's and policy's counters as this run counted them. */
  rulesetWithCounters(): Ruleset {
    const { packets, bytes } = this.classifier.counters();
    const counters = new RuleCounters();
    const rules = this.table.counts[Section.RULES];
    this.origins.rules.forEach((r, i) => {
      if (packets[i]! > 0n) counters.set(r.rule, Number(packets[i]!), Number(bytes[i]!));
    });
    this.origins.chains.forEach((c, i) => {
      if (packets[rules + i]! > 0n)
        counters.set(c.chain, Number(packets[rules + i]!), Number(bytes[rules + i]!));
    });
    return counters.apply(this.ruleset);
  }

  /** Confirmed, unexpired connections at the last packet's time. */
  connections(): WasmConnEntry[] {
    return this.conntrack.entries(this.lastNow);
  }

  conntrackStats(): { entries: number; stats: ConntrackStats } {
    return { entries: this.conntrack.count, stats: this.conntrack.stats() };
  }

  /** Host questions that crossed into JavaScript so far. */
  get hostQueries(): number {
    return this.x.hostQueriesAsked();
  }

  /**
   * Packets whose connection the flow cache named (conntrack skipped its lookup), those whose
   * way after conntrack it replayed, and the first packets of new connections it dropped as
   * their flow's first was dropped (refusals; assembly/path/flow-cache.ts), and the recorded
   * flows it lost for want of room (displaced), after which their next packet records again.
   */
  get flowCache(): {
    readonly hits: number;
    readonly replays: number;
    readonly refusals: number;
    readonly displaced: number;
  } {
    return {
      hits: this.x.flowCacheHits() >>> 0,
      replays: this.x.flowCacheReplays() >>> 0,
      refusals: (this.x.flowCacheRefusals?.() ?? 0) >>> 0,
      displaced: (this.x.flowCacheDisplaced?.() ?? 0) >>> 0,
    };
  }

  /** Frames whose flow and connection were read ahead (WasmEngineOptions.prefetch). */
  get prefetchedFrames(): number {
    return this.x.prefetchedFrames() >>> 0;
  }

  /** Table walks answered from the walk memo (assembly/path/verdict-memo.ts), and those walked. */
  get walkMemo(): { readonly hits: number; readonly misses: number } {
    return { hits: this.x.walkMemoHits() >>> 0, misses: this.x.walkMemoMisses() >>> 0 };
  }
}
