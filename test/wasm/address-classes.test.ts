// The WebAssembly path caches the host model's answers per class of addresses
// (src/engine/wasm/address-classes.ts): that is only exact if two addresses in the same class
// always get the same answers. Checked here on every host of the test fixtures, for random pairs
// of addresses drawn into the same class: input routes (with every interface as iif and sources
// from another class pair), addrtype's route type (with and without a device) and the source
// address towards them.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addressPrefixes,
  classBits,
  type Prefix,
  prefixMask,
} from '../../src/engine/wasm/address-classes.js';
import {
  addressType,
  type Host,
  parseHostFile,
  routeLookup,
  selectSourceAddress,
} from '../../src/host/index.js';

const FIXTURES = join(import.meta.dirname, '../fixtures');

function hostFiles(): string[] {
  const files = [join(FIXTURES, 'wasm-engine/routed-host.json')];
  for (const f of readdirSync(join(FIXTURES, 'hosts')))
    if (f.endsWith('.json') && !f.includes('.route-get')) files.push(join(FIXTURES, 'hosts', f));
  for (const d of readdirSync(join(FIXTURES, 'scenarios'), { withFileTypes: true }))
    if (d.isDirectory()) {
      const f = join(FIXTURES, 'scenarios', d.name, 'host.json');
      try {
        readFileSync(f);
        files.push(f);
      } catch {
        // a scenario without a host of its own
      }
    }
  return files;
}

/** xorshift32: the pairs are the same every run. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** An address drawn near the prefixes (inside one, at its edges, or anywhere). */
function draw(prefixes: readonly Prefix[], next: () => number): number {
  const r = next() % 8;
  if (r === 0) return next();
  const p = prefixes[next() % prefixes.length]!;
  const host = ~prefixMask(p.len) >>> 0;
  const bits = r === 1 ? 0 : r === 2 ? host : next() & host;
  return (p.net | bits) >>> 0;
}

/** Another address in the class of `a`, or undefined when the draws found none. */
function sibling(prefixes: readonly Prefix[], a: number, next: () => number): number | undefined {
  const cls = classBits(prefixes, a);
  for (let t = 0; t < 40; t++) {
    // Vary the bits below the longest prefix holding `a` (or any bits when none does).
    let len = 0;
    prefixes.forEach((p, i) => {
      if ((cls >> BigInt(i)) & 1n) len = Math.max(len, p.len);
    });
    const keep = prefixMask(len);
    const b = ((a & keep) | (next() & ~keep)) >>> 0;
    if (b !== a && classBits(prefixes, b) === cls) return b;
  }
  return undefined;
}

function route(host: Host, d: number, iif: string, s: number): string {
  const r = routeLookup(host, d, { iif, src: s });
  if (!r.ok) return JSON.stringify({ ok: false, errno: r.errno, type: r.type });
  return JSON.stringify({ ok: true, type: r.type, oif: r.oif, gateway: r.gateway?.words[0] ?? null });
}

describe('host answers are the same for every address of a class', () => {
  for (const file of hostFiles()) {
    const name = file.slice(FIXTURES.length + 1);
    it(name, () => {
      const host = parseHostFile(readFileSync(file, 'utf8'), { file: name });
      const prefixes = addressPrefixes(host);
      const ifaces = host.interfaces.map((i) => i.name);
      const next = random(name.length * 7919 + prefixes.length);
      let compared = 0;
      for (let n = 0; n < 400; n++) {
        const d1 = draw(prefixes, next);
        const d2 = sibling(prefixes, d1, next);
        const s1 = draw(prefixes, next);
        const s2 = sibling(prefixes, s1, next);
        if (d2 === undefined || s2 === undefined) continue;
        const iif = ifaces[next() % ifaces.length]!;
        // Multicast destinations are asked about one by one (joined groups).
        if (d1 >>> 28 !== 14)
          expect(route(host, d2, iif, s2), `${d1} ${s1} ${iif}`).toBe(route(host, d1, iif, s1));
        for (const dev of [undefined, iif])
          expect(addressType(host, { family: 'ipv4', words: [d2] }, dev ? { dev } : {})).toBe(
            addressType(host, { family: 'ipv4', words: [d1] }, dev ? { dev } : {}),
          );
        expect(selectSourceAddress(host, iif, d2)?.words[0]).toBe(
          selectSourceAddress(host, iif, d1)?.words[0],
        );
        compared++;
      }
      expect(compared).toBeGreaterThan(60);
    });
  }
});
