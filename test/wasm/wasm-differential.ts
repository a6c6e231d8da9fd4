// The WebAssembly classifier against the compiled-table interpreter: random packets through
// every base chain of a ruleset, one batch, one classify call. Decided packets must have the
// interpreter's verdict and deciding rule, and the counters the interpreter's decided walks
// touched; undecided packets exactly those whose interpreter walk reaches a stateful, host or
// unsupported op or a target the WebAssembly side leaves to the host. statistic and quota run
// on both sides with state kept across the packets (the interpreter's random draws from
// Xoshiro128ss with the classifier's seed), MARK updates the mark on both; a packet handed to the
// host undoes its walk's state changes on both sides, as the WebAssembly walk does.

import { compile } from '../../src/compiler/compile.js';
import { TableInterpreter, UnsupportedInTableError } from '../../src/compiler/interpret.js';
import { Xoshiro128ss } from '../../src/engine/conntrack/prng.js';
import type { EnginePacket } from '../../src/engine/reference/packet.js';
import { CONTINUE } from '../../src/engine/verdict.js';
import { ctRecord, RESULT_VERDICTS, ResultKind, WasmClassifier } from '../../src/engine/wasm/index.js';
import type { Match } from '../../src/ir/match.js';
import type { Rule, Ruleset } from '../../src/ir/ruleset.js';
import { PacketGenerator } from '../compiler/packets.js';
import { fakeContext } from '../engine/fake-context.js';

/** The WebAssembly classifier's default pass-through targets (src/engine/wasm/classifier.ts). */
const PASS = new Set(['LOG', 'NFLOG', 'TRACE', 'CHECKSUM', 'CLASSIFY']);
/** Stateful matches the WebAssembly walk evaluates itself. */
const WASM_EXTERNS = new Set(['statistic', 'quota']);
const IPV6_EXTENSIONS = new Set([0, 43, 44, 51, 59, 60]);

export interface WasmDiffStats {
  packets: number;
  decided: number;
  undecidedRule: number;
  undecidedPacket: number;
  /** Decided packets whose walk evaluated a statistic or quota op or ran MARK. */
  decidedStateful: number;
  /** Packets the classifier answered from its walk memo. */
  memoHits: number;
  divergences: string[];
}

export function emptyStats(): WasmDiffStats {
  return {
    packets: 0,
    decided: 0,
    undecidedRule: 0,
    undecidedPacket: 0,
    decidedStateful: 0,
    memoHits: 0,
    divergences: [],
  };
}

/** The walk reached something only the host evaluates, at global rule `rule`. */
class Reached extends Error {
  constructor(readonly rule: number) {
    super(`reached host-only work at rule ${rule}`);
  }
}

/** The interpreter, stopping where the WebAssembly side stops. */
class ProbeInterpreter extends TableInterpreter {
  current = -1;
  /** A statistic or quota op was evaluated since the flag was cleared. */
  stateful = false;
  override ruleMatches(rule: number): boolean | 'hotdrop' {
    this.current = rule;
    return super.ruleMatches(rule);
  }
  override extern(slot: number): Match {
    const m = super.extern(slot);
    if (!WASM_EXTERNS.has(m.kind)) throw new Reached(this.current);
    this.stateful = true;
    return m;
  }
}

/** Per-rule match state kept across packets, with an undo journal per packet. */
class StateStore {
  private readonly states = new Map<Rule, Map<object, unknown>>();
  private journal: (() => void)[] = [];
  readonly random: () => number;
  private readonly prng: Xoshiro128ss;
  private saved: Record<string, number> = {};

  constructor(seed: number) {
    this.prng = new Xoshiro128ss(seed);
    this.random = () => this.prng.nextU32();
  }

  ruleState<T>(rule: Rule, key: object, init: () => T): T {
    let m = this.states.get(rule);
    if (!m) {
      m = new Map();
      this.states.set(rule, m);
    }
    const map = m;
    if (!map.has(key)) {
      const v = init();
      map.set(key, v);
      this.journal.push(() => map.delete(key));
      return v;
    }
    const v = map.get(key) as T;
    const before = { ...(v as object) };
    this.journal.push(() => Object.assign(v as object, before));
    return v;
  }

  begin(): void {
    this.journal = [];
    this.saved = { ...(this.prng as unknown as Record<string, number>) };
  }

  rollback(): void {
    for (let i = this.journal.length - 1; i >= 0; i--) this.journal[i]!();
    this.journal = [];
    Object.assign(this.prng, this.saved);
  }
}

/** Bytes that say what `decoded` says (the generator overrides protocol and fragment in decoded only). */
function consistent(p: EnginePacket): EnginePacket {
  const bytes = Uint8Array.from(p.bytes);
  const d = p.decoded;
  if (d.family === 'ipv4') {
    bytes[9] = d.protocol;
    const f = d.fragment;
    const word = f ? (f.more ? 0x2000 : 0) | (f.offset >>> 3) : (bytes[6]! << 8) & 0x4000;
    bytes[6] = word >>> 8;
    bytes[7] = word & 0xff;
    return { ...p, bytes };
  }
  bytes[6] = d.protocol;
  return { ...p, bytes, decoded: { ...d, fragment: null } };
}

type Expected =
  | { readonly kind: 'decided'; readonly verdict: string; readonly policy: boolean; readonly index: number }
  | { readonly kind: 'undecided-rule'; readonly rule: number }
  | { readonly kind: 'undecided-packet' };

export function wasmDifferential(
  ruleset: Ruleset,
  packetsPerChain: number,
  seed: number,
  stats: WasmDiffStats,
  build: 'release' | 'debug' = 'release',
): void {
  const table = compile(ruleset);
  const interp = new ProbeInterpreter(table);
  const wasm = new WasmClassifier(table, { build, seed });
  const state = new StateStore(seed);
  const gen = new PacketGenerator(ruleset, seed);
  const bases: { table: string; chain: number; hook: string }[] = [];
  for (const t of ruleset.tables)
    for (const c of t.chains)
      if (c.base) bases.push({ table: t.name, chain: interp.chainIndex(t.name, c.name), hook: c.base.hook });
  const total = bases.length * packetsPerChain;
  const batch = wasm.batch(total, total * 1600, total);
  const expected: Expected[] = [];
  const nCounters = wasm.ruleCount + wasm.chainCount;
  const wantPackets = new Array<number>(nCounters).fill(0);
  const wantBytes = new Array<number>(nCounters).fill(0);
  const labels: string[] = [];
  const decidedStateful = new Set<number>();
  for (const b of bases)
    for (let n = 0; n < packetsPerChain; n++) {
      const g = gen.packet();
      const packet = consistent(g.packet);
      const ct = batch.addCt(ctRecord(g.ct));
      batch.add(packet.bytes, {
        chain: b.chain,
        iif: packet.iif,
        oif: packet.oif,
        mark: packet.mark,
        macSrc: packet.macSrc,
        ct,
      });
      labels.push(`${b.table} chain ${b.chain} packet ${n}`);
      if (packet.decoded.family === 'ipv6' && IPV6_EXTENSIONS.has(packet.decoded.protocol)) {
        expected.push({ kind: 'undecided-packet' });
        continue;
      }
      const ctx = {
        ...fakeContext(packet, {
          hook: b.hook as never,
          table: b.table as never,
          ct: g.ct,
          nowNs: packet.timestampNs,
          random: state.random,
        }),
        ruleState: <T>(rule: Rule, key: object, init: () => T): T => state.ruleState(rule, key, init),
      };
      const counted: number[] = [];
      state.begin();
      interp.stateful = false;
      let marked = false;
      try {
        const r = interp.walk(b.chain, ctx, packet.bytes.length, {
          target: (t, rule) => {
            if (t.kind === 'MARK') {
              // mark_tg, as the WebAssembly walk runs it.
              packet.mark = ((packet.mark & ~t.mask) ^ t.value) >>> 0;
              marked = true;
              return CONTINUE;
            }
            if (PASS.has(t.kind)) return CONTINUE;
            throw new Reached(rule);
          },
          count: (what) => counted.push(what.kind === 'rule' ? what.rule : wasm.ruleCount + what.chain),
        });
        for (const c of counted) {
          wantPackets[c]!++;
          wantBytes[c]! += packet.bytes.length;
        }
        const d = r.decidedBy;
        if (interp.stateful || marked) decidedStateful.add(expected.length);
        expected.push({
          kind: 'decided',
          verdict: r.verdict,
          policy: d.kind === 'policy',
          index: d.kind === 'policy' ? d.chain : d.rule,
        });
      } catch (e) {
        state.rollback();
        if (e instanceof Reached) expected.push({ kind: 'undecided-rule', rule: e.rule });
        else if (e instanceof UnsupportedInTableError)
          expected.push({ kind: 'undecided-rule', rule: interp.current });
        else throw e;
      }
    }
  wasm.classify(batch);
  stats.memoHits += wasm.walkMemo.hits;
  const res = batch.results();
  for (let i = 0; i < batch.count; i++) {
    stats.packets++;
    const w0 = res[2 * i]!;
    const kind = w0 >>> 8;
    const verdict = RESULT_VERDICTS[w0 & 0xff] ?? null;
    const index = res[2 * i + 1]!;
    const e = expected[i]!;
    let got: Expected;
    if (kind === ResultKind.UNDECIDED_PACKET) got = { kind: 'undecided-packet' };
    else if (kind === ResultKind.UNDECIDED_RULE || kind === ResultKind.UNDECIDED_LIMIT)
      got = { kind: 'undecided-rule', rule: index };
    else got = { kind: 'decided', verdict: verdict ?? '?', policy: kind === ResultKind.POLICY, index };
    if (got.kind === 'decided' && decidedStateful.has(i)) stats.decidedStateful++;
    if (got.kind === 'decided') stats.decided++;
    else if (got.kind === 'undecided-rule') stats.undecidedRule++;
    else stats.undecidedPacket++;
    if (JSON.stringify(got) !== JSON.stringify(e))
      stats.divergences.push(`${labels[i]}: interpreter ${JSON.stringify(e)}, wasm ${JSON.stringify(got)}`);
  }
  const { packets, bytes } = wasm.counters();
  for (let c = 0; c < nCounters; c++)
    if (Number(packets[c]) !== wantPackets[c] || Number(bytes[c]) !== wantBytes[c])
      stats.divergences.push(
        `counter ${c < wasm.ruleCount ? `rule ${c}` : `policy ${c - wasm.ruleCount}`}: interpreter ${wantPackets[c]}/${wantBytes[c]}, wasm ${packets[c]}/${bytes[c]}`,
      );
}
