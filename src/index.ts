// nfwasm's public library API. Front ends turn rulesets into the IR; later stages (compiler,
// engines, replay) take the IR from here.

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
