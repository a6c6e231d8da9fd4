// ClassBench filter sets: reader, IR conversion and packet generation.

export { type ClassBenchFilter, parseFilterLine, parseFilters } from './filter.js';
export {
  type ClassBenchAction,
  type ClassBenchOptions,
  filterMatches,
  filtersToRuleset,
  parseClassBench,
} from './ruleset.js';
export { type FiveTuple, generateTrace, type TraceOptions } from './trace-generator.js';
export { TUPLE_PACKET_BYTES, tuplePacket } from './tuple-packet.js';
