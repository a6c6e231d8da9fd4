// The WebAssembly classifier: batches of packets decided in one call over a compiled table.

export { type BatchLayout, type PacketMeta, WasmBatch } from './batch.js';
export { WasmClassifier, type WasmClassifierOptions } from './classifier.js';
export { ctRecord } from './facts.js';
export * from './layout.js';
export { instantiateClassifier, type WasmBuild, wasmPath } from './module.js';
