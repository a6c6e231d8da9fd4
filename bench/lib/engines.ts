// The engines measured side by side on one workload, each timed over the same packets:
//
// - wasm: the WebAssembly classifier, one classify call per batch (batches filled beforehand,
//   as the trace reader fills them; the fill is not timed), as the library makes it: a packet
//   whose walk reads the same as an earlier one's is replayed from the walk memo;
// - wasm-walk: the same with the memo off, every packet walking the rules;
// - floor: the same batches through a WebAssembly loop that only decodes the headers
//   (assembly/index.ts decodeOnly): what any WebAssembly classifier pays before the first rule;
// - interp: the TypeScript interpreter of the same compiled table (src/compiler/interpret.ts);
// - reference: the reference engine's table walk over the IR with its match evaluators;
// - linear: the naive linear-scan JavaScript classifier (bench/baselines/linear-scan.ts).
//
// Every engine stops at the rule that decides (a verdict, a policy, or an extension target the
// WebAssembly side hands to the host). Verdicts are compared with the reference walk's on the
// packets every engine saw.

import { compile } from '../../src/compiler/compile.js';
import type { CompiledTable } from '../../src/compiler/compiled-table.js';
import { Section } from '../../src/compiler/format.js';
import { type InterpretCallbacks, TableInterpreter } from '../../src/compiler/interpret.js';
import { MATCH_EVALUATORS } from '../../src/engine/reference/matches/index.js';
import { walkTable } from '../../src/engine/reference/table-walk.js';
import { ACCEPT, type Verdict } from '../../src/engine/verdict.js';
import { ResultKind, WasmClassifier } from '../../src/engine/wasm/index.js';
import type { ClassifierExports } from '../../src/engine/wasm/module.js';
import type { Match } from '../../src/ir/match.js';
import type { Rule } from '../../src/ir/ruleset.js';
import {
  LINEAR_ACCEPT,
  LINEAR_DROP,
  LINEAR_OTHER_TARGET,
  LinearScanClassifier,
} from '../baselines/linear-scan.js';
import { benchContext } from './packets.js';
import type { Workload } from './scenarios.js';
import { adaptivePps, bestMs, bestNs, collectGarbage } from './timing.js';

export type EngineName = 'wasm' | 'wasm-walk' | 'interp' | 'reference' | 'linear' | 'floor';
export const ENGINES: readonly EngineName[] = ['wasm', 'wasm-walk', 'interp', 'reference', 'linear', 'floor'];

export interface EngineRate {
  /** Packets per second. */
  readonly pps: number;
  readonly nsPerPacket: number;
  /** Packets in one timed run. */
  readonly packets: number;
}

export interface WorkloadResult {
  readonly scenario: string;
  readonly size: number;
  readonly rules: number;
  readonly compileMs: number;
  readonly tableBytes: number;
  readonly tableBytesPerRule: number;
  readonly engines: Readonly<Record<EngineName, EngineRate>>;
  readonly ratios: {
    readonly wasmOverReference: number;
    readonly wasmOverInterp: number;
    readonly wasmOverLinear: number;
    readonly wasmOverFloor: number;
  };
  /** Packets the WebAssembly classifier handed to the host (undecided), of all it classified. */
  readonly wasmUndecided: number;
  /** Share of the timed packets the WebAssembly classifier replayed from its walk memo (absent in older results). */
  readonly wasmMemoReplayed?: number;
  /** Packets (of those compared) whose verdict differs from the reference walk's, per engine. */
  readonly disagreements: Readonly<Record<'wasm' | 'interp' | 'linear', number>>;
  readonly compared: number;
}

export interface MeasureOptions {
  readonly batchSize: number;
  /** Target duration of one timed run of a slow (JavaScript) engine, in ms. */
  readonly targetMs: number;
  readonly runs: number;
}

/** decodeOnly is assembly/index.ts's floor export, not part of the engine's interface. */
type FloorExports = ClassifierExports & {
  decodeOnly(n: number, meta: number, bytes: number, ifaces: number): number;
};

const rate = (pps: number, packets: number): EngineRate => ({ pps, nsPerPacket: 1e9 / pps, packets });

/** 1 ACCEPT, 2 DROP, 3 handed on (extension target / undecided). */
type Code = 1 | 2 | 3;
const codeOf = (v: Verdict): Code => (v === 'ACCEPT' ? 1 : v === 'DROP' ? 2 : 3);

/**
 * `packets` in WebAssembly batches of `batchSize` for base chain `chain`, filled once, and a
 * function that classifies them all (what the benches time).
 */
export function wasmBatches(
  wasm: WasmClassifier,
  packets: Workload['packets'],
  chain: number,
  batchSize: number,
): { batches: ReturnType<WasmClassifier['batch']>[]; classifyAll: () => void } {
  const batches: ReturnType<WasmClassifier['batch']>[] = [];
  for (let i = 0; i < packets.length; i += batchSize) {
    const b = wasm.batch(batchSize, batchSize * 64);
    for (const p of packets.slice(i, i + batchSize))
      b.add(p.bytes, { chain, iif: p.iif, oif: p.oif, mark: p.mark });
    batches.push(b);
  }
  const classifyAll = () => {
    for (const b of batches) wasm.classify(b);
  };
  return { batches, classifyAll };
}

export function measureWorkload(w: Workload, options: MeasureOptions): WorkloadResult {
  const compiled = bestMs(w.rules >= 50_000 ? 2 : 3, () => compile(w.ruleset), true);
  const table: CompiledTable = compiled.value;
  const packets = w.packets;

  // WebAssembly: batches filled once, classify timed; then the floor over the same batches.
  const wasm = new WasmClassifier(table);
  const interp = new TableInterpreter(table);
  const chain = interp.chainIndex(w.table, w.chain);
  const { batches, classifyAll } = wasmBatches(wasm, packets, chain, options.batchSize);
  collectGarbage();
  classifyAll();
  const wasmRuns = Math.max(2 * options.runs, 7); // a run is a few ms: cheap to repeat
  const hitsBefore = wasm.walkMemo.hits;
  const wasmPps = packets.length / (bestNs(wasmRuns, classifyAll) / 1e9);
  const wasmMemoReplayed = (wasm.walkMemo.hits - hitsBefore) / (wasmRuns * packets.length);
  // The same batches' packets walked one by one: same results, the walk's own cost.
  const walker = new WasmClassifier(table, { memo: false });
  const walked = wasmBatches(walker, packets, chain, options.batchSize);
  walked.classifyAll();
  const walkPps = packets.length / (bestNs(wasmRuns, walked.classifyAll) / 1e9);
  batches.forEach((b, i) => {
    if (b.results().join() !== walked.batches[i]!.results().join())
      throw new Error(`${w.scenario} ${w.size}: the walk memo changed a result in batch ${i}`);
  });
  const x = wasm.exports as FloorExports;
  let decoded = 0;
  const floorAll = () => {
    decoded = 0;
    for (const b of batches) decoded += x.decodeOnly(b.count, b.layout.meta, b.layout.bytes, wasm.ifacesAt);
  };
  floorAll();
  if (decoded !== packets.length) throw new Error(`floor decoded ${decoded} of ${packets.length} packets`);
  const floorPps = packets.length / (bestNs(wasmRuns, floorAll) / 1e9);
  const wasmCodes: Code[] = [];
  let undecided = 0;
  for (const b of batches) {
    const r = b.results();
    for (let i = 0; i < b.count; i++) {
      const kind = r[2 * i]! >>> 8;
      const v = r[2 * i]! & 0xff;
      if (kind >= ResultKind.UNDECIDED_RULE) undecided++;
      wasmCodes.push(kind >= ResultKind.UNDECIDED_RULE ? 3 : v === 1 ? 1 : v === 2 ? 2 : 3);
    }
  }

  // Table interpreter.
  const ctx = benchContext(w.hook, w.table);
  const handOff: InterpretCallbacks = { target: () => ACCEPT, count: () => {} };
  const interpCodes: Code[] = [];
  const interpRun = (k: number, record = false) => {
    for (let i = 0; i < k; i++) {
      const p = packets[i]!;
      ctx.packet = p;
      const r = interp.walk(chain, ctx, p.bytes.length, handOff);
      if (record) interpCodes.push(codeOf(r.verdict));
    }
  };
  const interpRate = adaptivePps(packets.length, (k) => interpRun(k), options);

  // Reference walk over the IR.
  const irTable = w.ruleset.tables.find((t) => t.name === w.table)!;
  const irChain = irTable.chains.find((c) => c.name === w.chain)!;
  const refCb = {
    match: (m: Match, rule: Rule) => MATCH_EVALUATORS[m.kind].test(m as never, ctx, rule),
    target: () => ACCEPT,
    count: () => {},
  };
  const refCodes: Code[] = [];
  const refRun = (k: number, record = false) => {
    for (let i = 0; i < k; i++) {
      const p = packets[i]!;
      ctx.packet = p;
      const r = walkTable(irTable, irChain, p.bytes.length, refCb);
      // An extension target deciding is a hand-off, as in WebAssembly.
      const other =
        r.decidedBy.kind === 'rule' && !['ACCEPT', 'DROP'].includes(r.decidedBy.rule.target?.kind ?? '');
      if (record) refCodes.push(other ? 3 : codeOf(r.verdict));
    }
  };
  const refRate = adaptivePps(packets.length, (k) => refRun(k), options);

  // Naive linear scan.
  const linear = new LinearScanClassifier(w.ruleset, w.table);
  const linearChain = linear.chainIndex(w.chain);
  const linearCodes: number[] = [];
  const linearRun = (k: number, record = false) => {
    for (let i = 0; i < k; i++) {
      const p = packets[i]!;
      const v = linear.classify(p.bytes, linearChain, p.iif, p.oif);
      if (record) linearCodes.push(v);
    }
  };
  const linearRate = adaptivePps(packets.length, (k) => linearRun(k), options);

  // Verdicts on the packets every engine saw.
  const compared = Math.min(interpRate.measured, refRate.measured, linearRate.measured);
  interpRun(compared, true);
  refRun(compared, true);
  linearRun(compared, true);
  const disagreements = { wasm: 0, interp: 0, linear: 0 };
  for (let i = 0; i < compared; i++) {
    const ref = refCodes[i]!;
    if (wasmCodes[i] !== ref) disagreements.wasm++;
    if (interpCodes[i] !== ref && ref !== 3) disagreements.interp++;
    const l = linearCodes[i] === LINEAR_ACCEPT ? 1 : linearCodes[i] === LINEAR_DROP ? 2 : LINEAR_OTHER_TARGET;
    if (l !== ref) disagreements.linear++;
  }

  const engines: Record<EngineName, EngineRate> = {
    wasm: rate(wasmPps, packets.length),
    'wasm-walk': rate(walkPps, packets.length),
    interp: rate(interpRate.pps, interpRate.measured),
    reference: rate(refRate.pps, refRate.measured),
    linear: rate(linearRate.pps, linearRate.measured),
    floor: rate(floorPps, packets.length),
  };
  const tableBytes = table.buffer.byteLength;
  return {
    scenario: w.scenario,
    size: w.size,
    rules: w.rules,
    compileMs: compiled.ms,
    tableBytes,
    tableBytesPerRule: tableBytes / Math.max(1, table.counts[Section.RULES]),
    engines,
    ratios: {
      wasmOverReference: wasmPps / refRate.pps,
      wasmOverInterp: wasmPps / interpRate.pps,
      wasmOverLinear: wasmPps / linearRate.pps,
      wasmOverFloor: wasmPps / floorPps,
    },
    wasmUndecided: undecided,
    wasmMemoReplayed,
    disagreements,
    compared,
  };
}
