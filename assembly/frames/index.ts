// The main thread's per-frame work for `replay --workers` on a trace file, in WebAssembly
// (src/replay/frame-keyer.ts): walking pcapng's packet blocks into the batch and keying the
// frames to workers. A module apart from the engine's (assembly/index.ts): the main thread runs
// no engine, and this one's memory is laid out once and never grows, so the reader's chunks and
// its batch can live in it.

export { addEndpoint, append, appendSkipped, route } from './keying';
export { configure, reserve, startStaging } from './layout';
export { walkEnhancedPackets, walkedPackets } from './pcapng-walk';
