// nfwasm's public library API. Front ends turn rulesets into the IR; later stages (compiler,
// engines, replay) take the IR from here.

// The compiled decision table and the WebAssembly classifier that walks it.
export { type CompileOptions, compile } from './compiler/compile.js';
export type { CompiledTable } from './compiler/compiled-table.js';
export { dumpTable } from './compiler/dump.js';
export { loadTable, TableFormatError } from './compiler/load.js';
// The reference engine: the kernel's packet path in TypeScript, one frame at a time.
export { type Frame, ReferenceEngine, type ReferenceEngineOptions } from './engine/reference/engine.js';
export type { EmittedPacket, Fate, PacketResult } from './engine/reference/result.js';
export {
  WasmEngine,
  type WasmEngineOptions,
  type WasmEngineSnapshot,
  WasmPathUnsupported,
} from './engine/wasm/engine.js';
export { WasmClassifier, type WasmClassifierOptions } from './engine/wasm/index.js';
export { NfwasmError, type SourcePosition } from './errors.js';
export { type PrintOptions, printIptablesSave } from './frontend/iptables/printer.js';
export { type ParseOptions, parseIptablesSave } from './frontend/iptables/restore-parser.js';
export { parseIptablesScript, type ScriptParseOptions } from './frontend/iptables/script.js';
export { type RulesetSummary, summarize } from './frontend/iptables/summary.js';
export {
  type LoadedRuleset,
  type LoadOptions,
  loadRuleset,
  type RulesetFormat,
} from './frontend/load-ruleset.js';
// The host a ruleset runs on, from iproute2's JSON.
export { type Host, HostFileError, parseHostFile, routeLookup } from './host/index.js';
export type { Family, IpNet, IpRange } from './ir/address.js';
export { formatAddress } from './ir/address.js';
export type { Match, MatchKinds } from './ir/match.js';
export type {
  BaseChainInfo,
  Chain,
  Counters,
  Hook,
  Policy,
  Rule,
  Ruleset,
  SourceRef,
  Table,
  TableName,
} from './ir/ruleset.js';
export type { Target, TargetKinds } from './ir/target.js';
export { type ReplayOptions, type ReplaySummary, replayTrace } from './replay/replay-trace.js';
export { replayTraceWasm, WasmReplayUnsupported } from './replay/replay-trace-wasm.js';
// Traces: streaming pcap/pcapng readers and writers, and replaying one through an engine.
export { openTrace, PcapngWriter, PcapWriter, type TraceReader, traceFromBytes } from './trace/index.js';
