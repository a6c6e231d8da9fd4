import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { genCommand } from '../../src/cli/gen-command.js';
import { Xoshiro128ss } from '../../src/engine/conntrack/prng.js';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { parseHostFile } from '../../src/host/index.js';
import { ConnectionSharding, type FramesAhead } from '../../src/replay/connection-sharding.js';
import { FrameIndexWriter } from '../../src/replay/frame-index.js';
import { FrameKeyer, ROUTE_PUNT, ROUTE_SKIPPED } from '../../src/replay/frame-keyer.js';
import { frameLink } from '../../src/replay/replay-trace.js';
import { LinkType, openTrace, PacketFlag, PcapngWriter, traceFromBytes } from '../../src/trace/index.js';
import { hex } from '../trace/helpers.js';
import { i64, PcapngBuilder, u8 } from '../trace/pcapng-builder.js';

/** Fuzzing depth: `NFWASM_FUZZ=long npx vitest run test/replay/frame-keyer.test.ts` runs 100 times as many. */
const DEPTH = process.env.NFWASM_FUZZ === 'long' ? 100 : 1;
/** The long mode's fuzz tests take minutes (a keyer, its memory reserved, per reading). */
const LONG_TIMEOUT = DEPTH > 1 ? 30 * 60_000 : undefined;

const ETHERNET_HEADER = 14;

/**
 * The frames of a generated trace, many of them bent into what keying must also get right:
 * cut short, a byte changed, fragmented, VLAN-tagged, quoted in an ICMP error, made to look like
 * IPv6, or carried on raw, Linux cooked (v1, v2) and unknown link types.
 */
async function bentTrace(from: string, to: string, seed: number): Promise<void> {
  // Seeded, so a failure replays.
  const prng = new Xoshiro128ss(seed);
  const pick = (n: number) => prng.nextU32() % n;
  const writer = PcapngWriter.toFile(to);
  for (const p of openTrace(from).packetsSync()) {
    const name = p.interfaceName ?? 'eth0';
    let frame = Uint8Array.from(p.data);
    let linkType: number = LinkType.Ethernet;
    const ip = () => frame.subarray(ETHERNET_HEADER);
    switch (pick(12)) {
      case 0:
        frame = frame.subarray(0, pick(frame.length));
        break;
      case 1:
        frame[pick(Math.min(frame.length, 80))] = pick(256);
        break;
      case 2: {
        // A fragment: first (MF), middle or last, or a quoted one inside an ICMP error below.
        const kind = pick(3);
        const offset = kind === 0 ? 0 : 1 + pick(100);
        const field = offset | (kind === 2 ? 0 : 0x2000);
        if (frame.length > ETHERNET_HEADER + 8) {
          frame[ETHERNET_HEADER + 6] = field >> 8;
          frame[ETHERNET_HEADER + 7] = field & 255;
          frame[ETHERNET_HEADER + 4] = pick(4);
        }
        break;
      }
      case 3: {
        const tags = 1 + pick(2);
        const tagged = new Uint8Array(frame.length + 4 * tags);
        tagged.set(frame.subarray(0, 12));
        for (let t = 0; t < tags; t++)
          tagged.set(
            [t === 0 && tags === 2 ? 0x88 : 0x81, t === 0 && tags === 2 ? 0xa8 : 0, 0, 5],
            12 + 4 * t,
          );
        tagged.set(frame.subarray(12), 12 + 4 * tags);
        frame = tagged;
        break;
      }
      case 4: {
        // An ICMP error (unreachable, time exceeded, or an echo that quotes nothing) quoting the packet.
        const quoted = ip().subarray(0, 28 + pick(16));
        const e = new Uint8Array(ETHERNET_HEADER + 28 + quoted.length);
        e.set(frame.subarray(0, ETHERNET_HEADER));
        e.set([0x45, 0, 0, 0, 0, 0, 0, 0, 64, 1], ETHERNET_HEADER);
        e.set(ip().subarray(16, 20), ETHERNET_HEADER + 12);
        e.set([10, 0, 0, pick(3)], ETHERNET_HEADER + 16);
        e[ETHERNET_HEADER + 20] = [3, 11, 8, 12][pick(4)]!;
        e.set(quoted, ETHERNET_HEADER + 28);
        frame = e;
        break;
      }
      case 5:
        if (frame.length > ETHERNET_HEADER + 40) {
          frame[12] = 0x86;
          frame[13] = 0xdd;
          frame[ETHERNET_HEADER] = 0x60;
        }
        break;
      case 6:
        frame = frame.subarray(ETHERNET_HEADER);
        linkType = pick(2) === 0 ? LinkType.Raw : LinkType.Ipv4;
        break;
      case 7: {
        const sll = new Uint8Array(frame.length + 2);
        sll.set(frame.subarray(12), 14);
        linkType = LinkType.LinuxSll;
        frame = sll;
        break;
      }
      case 8:
        linkType = pick(2) === 0 ? LinkType.LinuxSll2 : 147;
        break;
      default:
    }
    const id = writer.interfaceFor(linkType === LinkType.Ethernet ? name : `${name}-${linkType}`, linkType);
    writer.writePacket(id, p.timestampNs ?? 0n, frame);
  }
  await writer.close();
}

/**
 * Keys every frame of a trace with the keyer as replay-workers.ts drives it (rounds of `round`
 * frames cut anywhere in a batch, punted frames keyed by its sharding) and with
 * ConnectionSharding and FrameIndexWriter alone; returns the routes and indexes of both.
 */
function keyBoth(
  rules: string,
  hostFile: string,
  trace: string,
  workers: number,
  round: number,
  stagingBytes?: number,
) {
  const { ruleset } = loadRuleset(readFileSync(rules, 'utf8'), { file: rules });
  const host = parseHostFile(readFileSync(hostFile, 'utf8'), { file: hostFile });
  const sharding = new ConnectionSharding(ruleset, host, workers);
  const reference = new ConnectionSharding(ruleset, host, workers);
  const keyer = new FrameKeyer(sharding, workers, {
    chunkSize: 4096,
    batchCapacity: 256,
    roundPackets: round,
    maxRecordLength: 4096,
    ...(stagingBytes === undefined ? {} : { staging: true, stagingBytes }),
  });
  const writers = Array.from({ length: workers }, () => new FrameIndexWriter());
  const reader = openTrace(trace, keyer.readerOptions);
  const got: { routes: number[]; indexes: number[][] } = { routes: [], indexes: [] };
  const want: { routes: number[]; indexes: number[][] } = { routes: [], indexes: [] };
  const names = new Map<string, number>();
  let punted = 0;
  let inRound = 0;
  let rounds = 0;
  let earlyEnds = 0;
  // Staged frames: each index entry's bytes are checked against the frame's, then its offset
  // put back to the frame's place in its chunk, to compare with the reference's entries.
  const frames = new Map<number, { offset: number; bytes: string }>();
  const memory = new Uint8Array(keyer.sharedMemory);
  const endRound = () => {
    for (let w = 0; w < workers; w++) {
      const k = keyer.take(w);
      const entries = new Uint32Array(k.buffer, 0, k.count * 10);
      if (stagingBytes !== undefined)
        for (let e = 0; e < entries.length; e += 10) {
          const frame = frames.get(entries[e + 6]!)!;
          expect(hex(memory.subarray(entries[e + 1]!, entries[e + 1]! + entries[e + 2]!))).toBe(frame.bytes);
          entries[e + 1] = frame.offset;
        }
      got.indexes.push([...entries]);
      keyer.giveBack(k.buffer);
      const j = writers[w]!.take();
      want.indexes.push([...new Uint32Array(j.buffer, 0, j.count * 10)]);
    }
    inRound = 0;
    keyer.startRound(++rounds);
  };
  for (const b of reader.batchesSync()) {
    expect(keyer.takes(b)).toBe(true);
    const word = (at: number) => {
      const itf = b.interfaces[at]!;
      if (!frameLink(itf.linkType, new Uint8Array(0)) || !itf.name) return -1;
      if (!names.has(itf.name)) names.set(itf.name, names.size);
      return names.get(itf.name)! | (itf.linkType << 16);
    };
    const ahead: FramesAhead = {
      count: b.count,
      linkType: (j) => (word(b.interfaceIndex[j]!) < 0 ? -1 : b.interfaceOf(j).linkType),
      offset: (j) => b.offset[j]!,
      length: (j) => b.capturedLength[j]!,
    };
    keyer.prepare(b, word);
    for (let i = 0; i < b.count; ) {
      const to = Math.min(b.count, i + round - inRound);
      const left = keyer.route(b, i, to);
      let found = 0;
      for (let j = i; j < to; j++) {
        if (keyer.routeOf(j) !== ROUTE_PUNT) continue;
        found++;
        keyer.setRoute(
          j,
          sharding.shardOf(
            b.data,
            b.offset[j]!,
            b.capturedLength[j]!,
            b.interfaceOf(j).linkType,
            ahead,
            j + 1,
          ),
        );
      }
      expect(found).toBe(left);
      punted += left;
      for (let j = i; j < to; j++) got.routes.push(keyer.routeOf(j));
      for (let j = i; j < to; ) {
        const stop = keyer.append(b, j, to);
        // What replay-workers.ts did per frame before the keyer.
        let skippedHere = 0;
        for (let f = j; f < stop; f++) {
          const w = word(b.interfaceIndex[f]!);
          if (w < 0) {
            skippedHere++;
            want.routes.push(ROUTE_SKIPPED);
            continue;
          }
          const start = b.offset[f]!;
          const length = b.capturedLength[f]!;
          let linkType = w >>> 16;
          const worker = reference.shardOf(b.data, start, length, linkType, ahead, f + 1);
          want.routes.push(worker);
          if (linkType === LinkType.Raw)
            linkType = length > 0 && b.data[start]! >>> 4 === 6 ? LinkType.Ipv6 : LinkType.Ipv4;
          const stamped = (b.flags[f]! & PacketFlag.NoTimestamp) === 0;
          writers[worker]!.append(
            0,
            start,
            length,
            w & 0xffff,
            linkType,
            stamped ? b.timestampWords[2 * f]! : 0,
            stamped ? b.timestampWords[2 * f + 1]! : 0,
            b.firstNumber + f,
            b.dataFileOffset + start,
          );
          frames.set(b.firstNumber + f, {
            offset: start,
            bytes: hex(b.data.subarray(start, start + length)),
          });
        }
        expect(keyer.skipped).toBe(skippedHere);
        inRound += stop - j;
        if (stop < to) earlyEnds++;
        j = stop;
        if (j < to || inRound === round) endRound();
      }
      i = to;
    }
  }
  endRound();
  return { got, want, punted, earlyEnds };
}

describe('keying frames in WebAssembly (frame-keyer.ts)', () => {
  const scenarios = [
    [
      'routed Docker host',
      'test/fixtures/wasm-engine/docker-routed.v4',
      'test/fixtures/wasm-engine/routed-host.json',
    ],
    [
      'kube-proxy',
      'test/fixtures/wasm-engine/kube-proxy-8.v4',
      'test/fixtures/wasm-engine/routed-kube-host.json',
    ],
  ] as const;
  for (const [name, rules, host] of scenarios)
    it(`routes and indexes every frame as ConnectionSharding and FrameIndexWriter do: ${name}, bent frames`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nfwasm-keyer-'));
      const generated = join(dir, 'gen.pcapng');
      genCommand(
        [
          '--rules',
          rules,
          '--host',
          host,
          '-o',
          generated,
          '--packets',
          '4000',
          '--flows',
          '150',
          '--seed',
          '9',
        ],
        () => {},
      );
      const trace = join(dir, 'bent.pcapng');
      await bentTrace(generated, trace, 17);
      for (const [workers, staging] of [
        [2, undefined],
        [3, undefined],
        [2, 8192],
        [3, 1 << 20],
      ] as const) {
        const { got, want, punted, earlyEnds } = keyBoth(rules, host, trace, workers, 700, staging);
        // Small staging regions end rounds early (and the same rounds in the reference).
        if (staging === 8192) expect(earlyEnds).toBeGreaterThan(10);
        expect(got.routes.length).toBe(want.routes.length);
        expect(got.routes).toEqual(want.routes);
        expect(got.indexes).toEqual(want.indexes);
        // The trace reaches every kind of route: each worker, skipped, and punted frames.
        for (let w = 0; w < workers; w++) expect(got.routes).toContain(w);
        expect(got.routes).toContain(ROUTE_SKIPPED);
        expect(punted).toBeGreaterThan(50);
      }
    });
});

describe("decoding pcapng's packet blocks in WebAssembly (frame-keyer.ts as the reader's walker)", () => {
  const rules = 'test/fixtures/wasm-engine/docker-routed.v4';
  const { ruleset } = loadRuleset(readFileSync(rules, 'utf8'), { file: rules });
  const host = parseHostFile(readFileSync('test/fixtures/wasm-engine/routed-host.json', 'utf8'), {
    file: 'routed-host.json',
  });
  const seeds = ['merged.pcapng', 'edge-le.pcapng', 'edge-be.pcapng', 'eth-usec-le.pcap'].map(
    (n) => [n, new Uint8Array(readFileSync(join('test/fixtures/trace', n)))] as const,
  );
  const MAX_RECORD = 65536;

  /** Everything a reading shows, each batch's packets taken while their chunk is current. */
  function observe(bytes: Uint8Array, chunkSize: number, batchCapacity: number, walk: boolean) {
    const keyer = walk
      ? new FrameKeyer(new ConnectionSharding(ruleset, host, 2), 2, {
          chunkSize,
          batchCapacity,
          maxRecordLength: MAX_RECORD,
          roundPackets: 16,
        })
      : undefined;
    const reader = traceFromBytes(
      bytes,
      keyer ? keyer.readerOptions : { chunkSize, batchCapacity, maxRecordLength: MAX_RECORD },
    );
    const packets: unknown[] = [];
    const summary = reader.readSync((b) => {
      for (let i = 0; i < b.count; i++) {
        const p = b.packet(i);
        packets.push([
          p.number,
          p.interfaceIndex,
          p.timestampNs,
          p.capturedLength,
          p.originalLength,
          Buffer.from(p.data).toString('hex'),
          p.comments,
          p.epbFlags,
          p.fileOffset,
          b.flags[i],
        ]);
      }
    });
    return {
      packets,
      problems: summary.problems,
      interfaces: summary.interfaces,
      sections: summary.sections,
    };
  }

  it(
    'reads every fixture, mutated or not, as the decoder alone does',
    () => {
      const mutation = fc.record({
        kind: fc.constantFrom('byte', 'word', 'cut'),
        at: fc.nat(),
        value: fc.integer({ min: 0, max: 0xffffffff }),
      });
      fc.assert(
        fc.property(
          fc.constantFrom(...seeds),
          fc.array(mutation, { maxLength: 4 }),
          fc.integer({ min: 64, max: 2000 }),
          fc.integer({ min: 1, max: 9 }),
          ([, seed], mutations, chunkSize, batchCapacity) => {
            let bytes = seed.slice();
            for (const m of mutations) {
              const at = m.at % bytes.length;
              if (m.kind === 'byte') bytes[at] = m.value & 255;
              else if (m.kind === 'word' && at + 4 <= bytes.length)
                new DataView(bytes.buffer).setUint32(at & ~3, m.value, true);
              else if (m.kind === 'cut') bytes = bytes.subarray(0, at);
            }
            expect(observe(bytes, chunkSize, batchCapacity, true)).toEqual(
              observe(bytes, chunkSize, batchCapacity, false),
            );
          },
        ),
        { numRuns: 400 * DEPTH },
      );
    },
    LONG_TIMEOUT,
  );

  it(
    'converts timestamps exactly, leaving to the decoder those that saturate, across resolutions and offsets',
    () => {
      const IF_TSRESOL = 9;
      const IF_TSOFFSET = 14;
      const interfaces: [number, bigint][] = [
        [6, 0n], // microseconds
        [9, 0n], // nanoseconds
        [3, 4_611_000_000n], // milliseconds, an offset near the packet time limit (2^62 ns)
        [9, -5_000_000_000n], // a negative offset
        [0x80 | 20, 0n], // 2^-20 s: not a whole number of nanoseconds
      ];
      const packet = fc.record({
        iface: fc.integer({ min: 0, max: interfaces.length - 1 }),
        units: fc.oneof(
          fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          fc.bigInt({ min: 0n, max: 1n << 40n }),
          fc.bigInt({ min: (1n << 63n) / 1000n - 1000n, max: (1n << 63n) / 1000n + 1000n }),
          fc.bigInt({ min: 686_000_000n - 1000n, max: 686_427_387n + 1000n }),
          fc.bigInt({ min: 200_000_000_000_000n, max: 300_000_000_000_000n }),
        ),
        length: fc.integer({ min: 0, max: 70 }),
        cut: fc.boolean(),
      });
      fc.assert(
        fc.property(fc.array(packet, { minLength: 1, maxLength: 40 }), (packets) => {
          const b = new PcapngBuilder().section(true);
          for (const [resolution, offset] of interfaces)
            b.idb(1, 0, [
              [IF_TSRESOL, u8(resolution)],
              [IF_TSOFFSET, i64(offset, true)],
            ]);
          for (const p of packets) {
            const data = Uint8Array.from({ length: p.length }, (_, i) => i);
            b.epb(p.iface, p.units, data, p.cut ? p.length + 10 : p.length);
          }
          const bytes = b.bytes();
          expect(observe(bytes, 4096, 8, true)).toEqual(observe(bytes, 4096, 8, false));
        }),
        { numRuns: 300 * DEPTH },
      );
    },
    LONG_TIMEOUT,
  );
});
