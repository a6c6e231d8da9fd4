// The classifier's walk memo (assembly/path/verdict-memo.ts, on by default): the same results
// and counters as walking every packet, for walks with more counters than an entry holds,
// for more distinct keys than the memo starts with (it grows), and for a chain whose packets
// never repeat (its trial switches the memo off for it).

import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { TableInterpreter } from '../../src/compiler/interpret.js';
import { WasmClassifier } from '../../src/engine/wasm/index.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { parsePacketSpec } from '../../src/wire/packet-text.js';

function packet(spec: string): Uint8Array {
  const s = parsePacketSpec(spec);
  if ('error' in s) throw new Error(s.error);
  return s.bytes;
}

/** FORWARD rules: `n` counted rules for 10.0.0.0/9 (LOG), then ACCEPT for tcp to 10.0.0.0/8. */
function countingChain(n: number): string[] {
  const filter = Array.from({ length: n }, (_, i) => `-A FORWARD -d 10.${i}.0.0/9 -j LOG`);
  filter.push('-A FORWARD -d 10.0.0.0/8 -p tcp -j ACCEPT');
  return filter;
}

/** `n` packets to `keys` distinct destinations (10.x.y.z), drawn at random from seed `seed`. */
function randomDraws(keys: number, n: number, seed: number): Uint8Array[] {
  const distinct = Array.from({ length: keys }, (_, i) =>
    packet(`tcp 192.0.2.1:40000 > 10.${i >> 16}.${(i >> 8) & 255}.${i & 255}:80 iif eth0`),
  );
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return distinct[(x >>> 8) % keys]!;
  });
}

/**
 * Classifies `packets` through FORWARD with the memo on and off, `passes` times (the counters
 * zeroed before the last pass when `zeroLast`); both runs' words and counters.
 */
function run(filter: string[], packets: readonly Uint8Array[], passes: number, zeroLast = false) {
  const text = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ...filter,
    'COMMIT',
    '',
  ];
  const table = compile(parseIptablesSave(text.join('\n'), { file: 'memo.v4', family: 'ipv4' }));
  const chain = new TableInterpreter(table).chainIndex('filter', 'FORWARD');
  return [true, false].map((memo) => {
    const wasm = new WasmClassifier(table, { memo });
    const results: number[] = [];
    const hitsByPass: number[] = [];
    for (let p = 0; p < passes; p++) {
      if (zeroLast && p === passes - 1) wasm.resetCounters();
      const before = wasm.walkMemo.hits;
      for (let i = 0; i < packets.length; i += 4096) {
        const batch = wasm.batch(4096, 4096 * 64);
        for (const bytes of packets.slice(i, i + 4096))
          batch.add(bytes, { chain, iif: 'eth0', oif: 'eth1', mark: 0 });
        wasm.classify(batch);
        results.push(...batch.results().slice(0, batch.count * 2));
      }
      hitsByPass.push(wasm.walkMemo.hits - before);
    }
    const { packets: counted, bytes } = wasm.counters();
    return { results, counters: [...counted, ...bytes].map(Number), hitsByPass, walkMemo: wasm.walkMemo };
  });
}

describe('the classifier walk memo', () => {
  it('replays walks of up to 30 counted rules exactly, keeping only those an entry holds', () => {
    // Rule i counts tcp packets to ports up to 10 (i + 1): a packet to port d is counted by
    // the rules from ceil(d / 10) - 1 on, between 0 and 30 of them.
    const filter = Array.from(
      { length: 30 },
      (_, i) => `-A FORWARD -p tcp -m tcp --dport 1:${10 * (i + 1)} -j LOG`,
    );
    filter.push('-A FORWARD -p tcp -m tcp --dport 1:150 -j ACCEPT');
    const packets = Array.from({ length: 6000 }, (_, i) =>
      packet(`tcp 192.0.2.1:${1024 + (i % 977)} > 198.51.100.1:${1 + ((i * 7) % 320)} iif eth0`),
    );
    const [memo, walked] = run(filter, packets, 2);
    expect(memo!.results).toEqual(walked!.results);
    expect(memo!.counters).toEqual(walked!.counters);
    expect(memo!.counters.some((c) => c > 0)).toBe(true);
    // Replays are counted in their entry until the counters are read: zeroing the counters
    // forgets those too.
    const [memoZeroed, walkedZeroed] = run(filter, packets, 3, true);
    expect(memoZeroed!.counters).toEqual(walkedZeroed!.counters);
    expect(memoZeroed!.counters).toEqual(memo!.counters.map((c) => c / 2));
    // Walks to high ports (few counters) are replayed; those to low ports (too many) walk.
    expect(memo!.hitsByPass[1]).toBeGreaterThan(3000);
    expect(memo!.hitsByPass[1]).toBeLessThan(6000);
    expect(walked!.walkMemo.hits).toBe(0);
  });

  it('grows for 20k distinct keys and replays nine in ten of them by the third pass', () => {
    // Fourteen counted rules before the verdict: the walks are long enough for the memo to pay
    // at any size.
    const filter = [...countingChain(14), '-A FORWARD -d 10.128.0.0/9 -j ACCEPT'];
    const packets = Array.from({ length: 20_000 }, (_, i) =>
      packet(
        `${i % 3 ? 'tcp' : 'udp'} 192.0.2.1:40000 > 10.${(i * 13) & 127}.${i >> 8}.${i & 255}:80 iif eth0`,
      ),
    );
    const [memo, walked] = run(filter, packets, 3);
    expect(memo!.results).toEqual(walked!.results);
    expect(memo!.counters).toEqual(walked!.counters);
    // The memo starts at 16k entries: more than 16384 hits in a pass means it grew. Sets of
    // two ways keep a few keys displacing each other (three keys in one set) at any size.
    expect(memo!.hitsByPass[0]).toBe(0);
    expect(memo!.hitsByPass[2]).toBeGreaterThan(18_000);
  });

  it('keeps its trial going while it fills with more distinct keys than a round sees again', () => {
    // 40k keys drawn at random: in the trial's first judged round (lookups 16k-32k) about a
    // third hit, which alone would switch the memo off. Walks of 15 rules: long enough to keep
    // the memo once it has grown past the caches.
    const filter = countingChain(14);
    const packets = randomDraws(40_000, 120_000, 12345);
    const [memo, walked] = run(filter, packets.slice(0, 80_000), 1);
    const [memoAll] = run(filter, packets, 1);
    expect(memo!.results).toEqual(walked!.results);
    expect(memo!.counters).toEqual(walked!.counters);
    // Of the last 40k packets, most are replays (none if the first round had switched it off).
    expect(memoAll!.walkMemo.hits - memo!.walkMemo.hits).toBeGreaterThan(30_000);
  });

  it('is switched off once it outgrows the caches where walks stay in them', () => {
    // fw1-like: a few rules, every packet's key its own among 80k drawn at random. The keys
    // repeat, so the trial alone would keep the memo (nine in ten of the last packets replayed),
    // but once it holds 32k walks a hit costs more than a walk of nine rules in a table of a few
    // hundred bytes.
    const filter = countingChain(8);
    const packets = randomDraws(80_000, 240_000, 777);
    const [memo, walked] = run(filter, packets.slice(0, 200_000), 1);
    const [memoAll] = run(filter, packets, 1);
    expect(memo!.results).toEqual(walked!.results);
    expect(memo!.counters).toEqual(walked!.counters);
    expect(memoAll!.walkMemo.hits).toBe(memo!.walkMemo.hits);
  });

  it('is switched off for a chain whose packets never repeat their key', () => {
    const filter = Array.from({ length: 8 }, (_, i) => `-A FORWARD -s 172.16.${i}.0/24 -j DROP`);
    filter.push('-A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT');
    const packets = Array.from({ length: 70_000 }, (_, i) =>
      packet(`tcp 198.${i >> 16}.${(i >> 8) & 255}.${i & 255}:${1024 + (i & 255)} > 10.0.0.1:80 iif eth0`),
    );
    const [memo, walked] = run(filter, packets, 1);
    expect(memo!.results).toEqual(walked!.results);
    expect(memo!.counters).toEqual(walked!.counters);
    expect(memo!.walkMemo.hits).toBe(0);
    // The trial looks up 32768 walks, then the chain is walked without asking the memo.
    expect(memo!.walkMemo.misses).toBeLessThanOrEqual(32_768);
  });
});
