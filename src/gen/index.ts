// Deterministic traffic generation: seeded flows aimed at a ruleset's rules, written as pcapng.

export { type GenerateOptions, type GenerateSummary, generateTrace } from './generate-trace.js';
export { DEFAULT_MIX, type FlowKind, parseTrafficMix, type TrafficMix } from './traffic-mix.js';
