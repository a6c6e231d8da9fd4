// The WebAssembly Internet checksum (assembly/checksum.ts: 16 bytes a step in SIMD lanes from 32
// bytes on, then 8, 4, 2 and 1) against the JavaScript one, on random bytes of every length up to
// a jumbo frame at every alignment, and on the sums that fold hardest (all 0xff).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantiateClassifier } from '../../src/engine/wasm/module.js';
import { internetChecksum } from '../../src/wire/checksum.js';

interface ChecksumExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  alloc(bytes: number): number;
  internetChecksum(ptr: number, len: number): number;
}

const x = instantiateClassifier('release') as unknown as ChecksumExports;
const area = x.alloc(9100) >>> 0;

function wasmChecksum(bytes: Uint8Array, offset: number): number {
  new Uint8Array(x.memory.buffer, area + offset, bytes.length).set(bytes);
  return x.internetChecksum(area + offset, bytes.length) >>> 0;
}

describe('WebAssembly internetChecksum', () => {
  it('equals the JavaScript checksum on random bytes, lengths 0..9000, any alignment', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9000 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.integer({ min: 0, max: 15 }),
        (b, at) => {
          expect(wasmChecksum(b, at)).toBe(internetChecksum(b, 0, b.length));
        },
      ),
      { numRuns: 400, seed: 11 },
    );
  });

  it('folds every length of all-0xff bytes as the JavaScript checksum does', () => {
    for (let n = 0; n <= 300; n++) {
      const b = new Uint8Array(n).fill(0xff);
      expect(wasmChecksum(b, n % 16)).toBe(internetChecksum(b, 0, n));
    }
    const jumbo = new Uint8Array(9000).fill(0xff);
    expect(wasmChecksum(jumbo, 3)).toBe(internetChecksum(jumbo, 0, 9000));
  });
});
