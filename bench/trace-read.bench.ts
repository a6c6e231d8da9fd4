// Trace reading throughput: generates a 1M-packet pcapng (and the same packets as classic pcap)
// with our writers, then reads them back through each API and reports packets/s and ns/packet.
//
//   npx tsx bench/trace-read.bench.ts                  1M packets, best of 3 runs
//   npx tsx bench/trace-read.bench.ts --packets 200000 --runs 5 --chunk 1048576
//
// The batch API is the engine's path; it must stay far above the replay target (tens of Mpps),
// so that reading is never what limits a replay.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTrace, PcapngWriter, PcapWriter } from '../src/trace/index.js';

const args = process.argv.slice(2);
const argValue = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const PACKETS = Number(argValue('--packets') ?? 1_000_000);
const RUNS = Number(argValue('--runs') ?? 3);
const CHUNK = argValue('--chunk') === undefined ? undefined : Number(argValue('--chunk'));

const dir = mkdtempSync(join(tmpdir(), 'nfwasm-trace-bench-'));
const pcapngPath = join(dir, 'bench.pcapng');
const pcapPath = join(dir, 'bench.pcap');

/** Deterministic small frames (64-192 bytes, what a Mpps replay carries) on 4 interfaces. */
async function generate(): Promise<number> {
  const t0 = process.hrtime.bigint();
  const ng = PcapngWriter.toFile(pcapngPath);
  const classic = PcapWriter.toFile(pcapPath);
  const frame = new Uint8Array(192);
  frame.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45]);
  let seed = 1;
  const ifaces = ['eth0', 'eth1', 'docker0', 'wg0'].map((n) => ng.interfaceFor(n));
  for (let i = 0; i < PACKETS; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const len = 64 + (seed % 129);
    frame[20] = i & 0xff;
    const ts = 1_700_000_000_000_000_000n + BigInt(i) * 1000n;
    const data = frame.subarray(0, len);
    ng.writePacket(
      ifaces[i & 3]!,
      ts,
      data,
      i % 16 === 0 ? { comment: 'filter FORWARD #4 ACCEPT rules.v4:17' } : undefined,
    );
    classic.writePacket(ts, data);
  }
  await ng.close();
  await classic.close();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

interface Result {
  readonly packets: number;
  readonly checksum: number;
}

function bestOf(name: string, path: string, f: () => Result | Promise<Result>): Promise<void> {
  return (async () => {
    let best = Number.POSITIVE_INFINITY;
    let last: Result = { packets: 0, checksum: 0 };
    for (let r = 0; r < RUNS; r++) {
      const t0 = process.hrtime.bigint();
      last = await f();
      best = Math.min(best, Number(process.hrtime.bigint() - t0));
    }
    if (last.packets !== PACKETS) throw new Error(`${name}: read ${last.packets} packets, wrote ${PACKETS}`);
    const mb = statSync(path).size / 1e6;
    console.log(
      `${name.padEnd(38)} ${(PACKETS / (best / 1e9) / 1e6).toFixed(2).padStart(7)} Mpps ${(best / PACKETS)
        .toFixed(1)
        .padStart(
          7,
        )} ns/packet ${(mb / (best / 1e9)).toFixed(0).padStart(6)} MB/s  (${(best / 1e6).toFixed(0)} ms)`,
    );
  })();
}

/** Touches every packet as the engine would: its length, interface, time and first bytes. */
function batchRead(path: string): Result {
  let packets = 0;
  let checksum = 0;
  openTrace(path, { chunkSize: CHUNK }).readSync((b) => {
    const { data, offset, capturedLength, interfaceIndex, timestampWords } = b;
    for (let i = 0; i < b.count; i++) {
      checksum =
        (checksum +
          data[offset[i]! + 20]! +
          capturedLength[i]! +
          interfaceIndex[i]! +
          timestampWords[2 * i]!) |
        0;
    }
    packets += b.count;
  });
  return { packets, checksum };
}

function packetObjects(path: string): Result {
  let packets = 0;
  let checksum = 0;
  for (const p of openTrace(path, { chunkSize: CHUNK }).packetsSync()) {
    checksum = (checksum + p.data[20]! + p.capturedLength) | 0;
    packets++;
  }
  return { packets, checksum };
}

async function asyncBatches(path: string): Promise<Result> {
  let packets = 0;
  let checksum = 0;
  for await (const b of openTrace(path, { chunkSize: CHUNK }).batches()) {
    for (let i = 0; i < b.count; i++) checksum = (checksum + b.data[b.offset[i]! + 20]!) | 0;
    packets += b.count;
  }
  return { packets, checksum };
}

console.log(`nfwasm trace-read benchmark: node ${process.version}, ${PACKETS} packets, best of ${RUNS}`);
const writeMs = await generate();
console.log(
  `generated ${(statSync(pcapngPath).size / 1e6).toFixed(0)} MB pcapng + ${(statSync(pcapPath).size / 1e6).toFixed(0)} MB pcap in ${writeMs.toFixed(0)} ms (both writers, ${((2 * PACKETS) / (writeMs / 1e3) / 1e6).toFixed(2)} M packets written/s)`,
);
try {
  await bestOf('pcapng, readSync batches', pcapngPath, () => batchRead(pcapngPath));
  await bestOf('pcap,   readSync batches', pcapPath, () => batchRead(pcapPath));
  await bestOf('pcapng, async batches()', pcapngPath, () => asyncBatches(pcapngPath));
  await bestOf('pcapng, packetsSync() objects', pcapngPath, () => packetObjects(pcapngPath));
} finally {
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}
