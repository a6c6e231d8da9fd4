import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PacketRandom, packetSeed } from '../../src/engine/conntrack/packet-random.js';
import { Xoshiro128ss } from '../../src/engine/conntrack/prng.js';
import { ReferenceEngine } from '../../src/engine/reference/engine.js';
import { WasmEngine } from '../../src/engine/wasm/engine.js';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { parseHostFile } from '../../src/host/index.js';

describe('per-packet random draws', () => {
  it("depend on the seed, the packet's index and the draw's number only", () => {
    const r = new PacketRandom(7);
    r.beginPacket(5);
    const five = [r.nextU32(), r.nextU32()];
    r.beginPacket(6);
    r.nextU32();
    r.beginPacket(5);
    expect([r.nextU32(), r.nextU32()]).toEqual(five);
    const g = new Xoshiro128ss(packetSeed(7, 5));
    expect([g.nextU32(), g.nextU32()]).toEqual(five);
    expect(packetSeed(7, 5)).not.toBe(packetSeed(7, 6));
    expect(packetSeed(7, 5)).not.toBe(packetSeed(8, 5));
    expect(packetSeed(7, 5)).not.toBe(packetSeed(7, 5 + 2 ** 32));
  });

  // `statistic --mode random` draws once per packet: a packet's fate must not depend on which
  // other packets the engine ran before it (replay --workers gives each engine some of them).
  const rules = loadRuleset(
    '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -m statistic --mode random --probability 0.5 -j ACCEPT\nCOMMIT\n',
    { file: 'statistic.v4' },
  ).ruleset;
  const host = parseHostFile(readFileSync('test/fixtures/wasm-engine/routed-host.json', 'utf8'), {
    file: 'routed-host.json',
  });
  /** UDP from 198.51.100.7 to 203.0.113.9 (routed out of eth0), source port `port`. */
  const frame = (port: number): Uint8Array => {
    const b = new Uint8Array(28);
    b.set([0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 198, 51, 100, 7, 203, 0, 113, 9]);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    b[10] = ~sum >> 8;
    b[11] = ~sum & 0xff;
    b.set([port >> 8, port & 0xff, 0, 53, 0, 8, 0, 0], 20);
    return b;
  };
  const indexes = Array.from({ length: 64 }, (_, i) => i + 1);
  const odd = indexes.filter((i) => i % 2 === 1);

  it('gives each packet the same fate whichever packets ran before it (reference engine)', () => {
    const fates = (run: readonly number[]) => {
      const e = new ReferenceEngine(rules, host, { seed: 3 });
      return run.map(
        (i) =>
          e.process(
            { bytes: frame(1000 + i), linkType: 'raw-ipv4', iif: 'eth0', timestampNs: BigInt(i) },
            { index: i },
          ).fate.kind,
      );
    };
    const all = fates(indexes);
    expect(new Set(all)).toEqual(new Set(['forwarded', 'dropped']));
    expect(fates(odd)).toEqual(odd.map((i) => all[i - 1]));
  });

  it('and the WebAssembly engine draws exactly as the reference engine', () => {
    const fates = (run: readonly number[]) => {
      const e = new WasmEngine(rules, host, { seed: 3 });
      for (const i of run) e.add(frame(1000 + i), 'raw-ipv4', 'eth0', BigInt(i), i);
      e.run();
      return run.map((_, k) => e.fateOf(k));
    };
    const ref = new ReferenceEngine(rules, host, { seed: 3 });
    const want = indexes.map(
      (i) =>
        ref.process({ bytes: frame(1000 + i), linkType: 'raw-ipv4', iif: 'eth0', timestampNs: BigInt(i) })
          .fate.kind,
    );
    expect(fates(indexes)).toEqual(want);
    expect(fates(odd)).toEqual(odd.map((i) => want[i - 1]));
  });
});
