// The WebAssembly path caches the host model's answers per class of addresses
// (src/engine/wasm/address-classes.ts): that is only exact if two addresses in the same class
// always get the same answers. Checked here on every host of the test fixtures, for random pairs
// of addresses drawn into the same class: input routes (with every interface as iif and sources
// from another class pair), addrtype's route type (with and without a device) and the source
// address towards them; and every question the path asks by class, as the path gets it
// (answerHostQuery: output routes, re-routes, ICMP errors' sources and ways back).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngineState } from '../../src/engine/reference/engine-state.js';
import {
  addressPrefixes,
  classBits,
  type Prefix,
  prefixMask,
} from '../../src/engine/wasm/address-classes.js';
import {
  answerHostQuery,
  Q_ADDRESS_TYPE,
  Q_ERROR_SOURCE,
  Q_ICMP_SEND,
  Q_REROUTE_OUT,
  Q_ROUTE_IN,
  Q_ROUTE_OUT,
  Q_SOURCE_ADDRESS,
} from '../../src/engine/wasm/host-answers.js';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
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

const NO_RULES = loadRuleset('*filter\nCOMMIT\n', { file: 'none.v4' }).ruleset;

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
      const state = createEngineState(NO_RULES, host, 1);
      const names = {
        index: (n: string) => ifaces.indexOf(n) + 1,
        name: (i: number) => ifaces[i - 1] ?? '',
      };
      const answer = (kind: number, a: number, b: number, c: number) =>
        answerHostQuery(host, state.hostView, names, kind, a >>> 0, b >>> 0, c >>> 0);
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
        // The questions as the path asks them: iif and device as registry indexes.
        const dev = ifaces.indexOf(iif) + 1;
        const asked: [number, number, number, number][] = [
          [Q_ADDRESS_TYPE, d1, dev, 0],
          [Q_SOURCE_ADDRESS, dev, d1, 0],
        ];
        if (d1 >>> 28 !== 14 && s1 >>> 28 !== 14)
          asked.push(
            [Q_ROUTE_IN, d1, s1, dev],
            [Q_ROUTE_OUT, d1, s1, 0],
            [Q_REROUTE_OUT, d1, s1, next() & 3],
            [Q_ICMP_SEND, d1, s1, next() % 2 === 0 ? 0 : dev],
            [Q_ERROR_SOURCE, d1, s1, 0],
          );
        for (const [kind, a, b, c] of asked) {
          const swap = (x: number) => (x === d1 ? d2 : x === s1 ? s2 : x);
          const first = answer(kind, a, b, c);
          const other = answer(kind, kind === Q_SOURCE_ADDRESS ? a : swap(a), swap(b), c);
          expect(other, `question ${kind} (${a}, ${b}, ${c}) on ${name}`).toEqual(first);
        }
        compared++;
      }
      expect(compared).toBeGreaterThan(60);
    });
  }
});
