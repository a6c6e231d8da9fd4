// The established-packet floor (bench/floor/established.ts) from JavaScript: built once per
// process, an instance per run with the connections of the frames it will get, batches of
// frames copied in and run. bench/established-floor.bench.ts times it against the engine;
// test/bench/established-floor.test.ts checks that it does the work it is said to do.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The project's lib (es2023, no DOM) has no WebAssembly types: the little used here.
export interface FloorModule {
  readonly kind: 'module';
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => FloorModule;
  readonly Instance: new (m: FloorModule, imports: object) => { readonly exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface FloorExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  setUp(connections: number, maxFrames: number, frameBytes: number): number;
  recordsAt(): number;
  resultsAt(): number;
  track(src: number, dst: number, ports: number, addr: number, port: number): void;
  run(n: number): number;
  counted(): bigint;
}

/** Every connection of the floor is NATed to this address and port (DNAT to a container). */
export const FLOOR_NAT_ADDRESS = 0xac110002; // 172.17.0.2
export const FLOOR_NAT_PORT = 8080;
const MAX_FRAME_BYTES = 1600;

/**
 * bench/floor/established.ts built as the engine's release build is (asconfig.json). Compile
 * it once a process: each instance then shares the code V8 optimised for the ones before it.
 */
export function buildFloorModule(): FloorModule {
  const dir = mkdtempSync(join(tmpdir(), 'nfwasm-floor-'));
  try {
    const out = join(dir, 'floor.wasm');
    execFileSync(
      process.execPath,
      [
        join(import.meta.dirname, '../../node_modules/assemblyscript/bin/asc.js'),
        join(import.meta.dirname, '../floor/established.ts'),
        ...['--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert'],
        ...['--runtime', 'stub', '--enable', 'simd', '-o', out],
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    return new WA.Module(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One run of the floor: its connections, then batches of Ethernet frames. */
export class EstablishedFloor {
  private readonly x: FloorExports;
  private readonly area: number;
  /** Frames the floor found invalid so far (bad header or checksum, unknown connection, not a plain ACK). */
  invalid = 0;

  /** An instance holding a connection for each direction `frames` take (IPv4 in Ethernet, no options). */
  constructor(
    module: FloorModule,
    frames: readonly Uint8Array[],
    connections: number,
    private readonly maxFrames: number,
  ) {
    const abort = () => {
      throw new Error('established floor: abort');
    };
    this.x = new WA.Instance(module, { env: { abort } }).exports as unknown as FloorExports;
    this.area = this.x.setUp(connections, maxFrames, maxFrames * MAX_FRAME_BYTES);
    for (const f of frames) {
      const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
      this.x.track(
        v.getUint32(26, true),
        v.getUint32(30, true),
        v.getUint32(34, true),
        FLOOR_NAT_ADDRESS,
        FLOOR_NAT_PORT,
      );
    }
  }

  /** Runs frames[first, first + n) with their times; ns inside the WebAssembly call. */
  run(frames: readonly Uint8Array[], times: readonly bigint[], first: number, n: number): number {
    if (n > this.maxFrames) throw new Error(`established floor: ${n} frames, room for ${this.maxFrames}`);
    const bytes = new Uint8Array(this.x.memory.buffer);
    const words = new Uint32Array(this.x.memory.buffer);
    const records = this.x.recordsAt() >>> 2;
    let at = 0;
    for (let k = 0; k < n; k++) {
      const f = frames[first + k]!;
      if (f.length > MAX_FRAME_BYTES) throw new Error(`established floor: a frame of ${f.length} bytes`);
      bytes.set(f, this.area + at);
      const t = times[first + k]!;
      const r = records + k * 4;
      words[r] = at;
      words[r + 1] = f.length;
      words[r + 2] = Number(t & 0xffffffffn);
      words[r + 3] = Number(t >> 32n);
      at += f.length;
    }
    const t0 = process.hrtime.bigint();
    this.invalid = this.x.run(n);
    return Number(process.hrtime.bigint() - t0);
  }

  /** Frame k of the last batch as the floor left it (rewritten). */
  frame(k: number): Uint8Array {
    const words = new Uint32Array(this.x.memory.buffer);
    const r = (this.x.recordsAt() >>> 2) + k * 4;
    return new Uint8Array(this.x.memory.buffer, this.area + words[r]!, words[r + 1]!);
  }

  /** Frame k's verdict in the last batch: 1 forwarded, 0 found invalid. */
  verdict(k: number): number {
    return new Uint32Array(this.x.memory.buffer)[(this.x.resultsAt() >>> 2) + k * 4]!;
  }

  /** Packets the first rule's counter counted (every valid packet). */
  get counted(): number {
    return Number(this.x.counted());
  }
}
