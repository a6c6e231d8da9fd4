// Loading the WebAssembly classifier (build/release.wasm or build/debug.wasm).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exportMutableGlobals } from './global-exports.js';

// The project's lib (es2023, no DOM) has no WebAssembly types: the little used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmModule {
  readonly kind: 'module';
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Instance: new (m: WasmModule, imports: object) => { readonly exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The module's exports (assembly/index.ts). */
export interface ClassifierExports {
  readonly memory: WasmMemory;
  alloc(bytes: number): number;
  release(mark: number): void;
  /** Reads the table copied to `base`; the rules' records, whose words 4-7 are their counters. */
  loadTable(base: number): number;
  /** Where the chains' policy counters are (u64 packets, u64 bytes each). */
  policyCountersAt(): number;
  resetCounters(): void;
  /** Adds the walk memo's replays to the rules' counters (before they are read). */
  settleWalkMemo(): void;
  setPassActions(mask: number): void;
  /** Whether classify answers repeated walks from the walk memo (on unless set off). */
  setClassifyMemo(on: number): void;
  /** Walks answered from the walk memo, and memoizable walks walked, since the table was loaded. */
  walkMemoHits(): number;
  walkMemoMisses(): number;
  /** Seeds the statistic match's generator (Xoshiro128ss of src/engine/conntrack/prng.ts). */
  randomSeed(seed: number): void;
  randomNext(): number;
  /** Stateful matches (statistic nth, quota) back to their initial state. */
  resetState(): void;
  classify(n: number, meta: number, ct: number, bytes: number, ifaces: number, results: number): void;
  internetChecksum(ptr: number, len: number): number;
}

export type WasmBuild = 'release' | 'debug';

/**
 * The packet path's questions about the host model (assembly/path/host-query.ts): kind and
 * three words in, four answer words written at `out` in linear memory.
 */
export type HostQuery = (kind: number, a: number, b: number, c: number, out: number) => void;

const compiled = new Map<string, WasmModule>();

/** Path of a build; src/engine/wasm and dist/engine/wasm are both three levels below the root. */
export function wasmPath(build: WasmBuild): string {
  return fileURLToPath(new URL(`../../../build/${build}.wasm`, import.meta.url));
}

/** The compiled module of a build, compiled once per path (and thread). */
export function compiledModule(build: WasmBuild = 'release', path = wasmPath(build)): WasmModule {
  let mod = compiled.get(path);
  if (!mod) {
    mod = new WA.Module(exportMutableGlobals(readFileSync(path)));
    compiled.set(path, mod);
  }
  return mod;
}

/**
 * Takes a module another thread compiled (posted to a worker) as this thread's for `path`, so
 * that the worker does not compile and tier up its own copy of the code.
 */
export function adoptCompiledModule(
  module: unknown,
  build: WasmBuild = 'release',
  path = wasmPath(build),
): void {
  if (!(module instanceof (WA as unknown as { Module: new (...a: never[]) => WasmModule }).Module))
    throw new Error('nfwasm wasm: not a compiled WebAssembly module');
  compiled.set(path, module);
}

/** A fresh instance (own memory) of the module, compiled once per path. */
export function instantiateClassifier(
  build: WasmBuild = 'release',
  path = wasmPath(build),
  hostQuery: HostQuery = () => {},
): ClassifierExports {
  const mod = compiledModule(build, path);
  const instance = new WA.Instance(mod, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new Error(`nfwasm wasm: abort at ${line}:${col}`);
      },
      hostQuery,
    },
  });
  return instance.exports as unknown as ClassifierExports;
}
