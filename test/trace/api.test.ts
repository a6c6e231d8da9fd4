// The reading API: sync batches, async iterators, zero-copy views, files larger than a chunk,
// standard input.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTrace, PcapngWriter, type TracePacket } from '../../src/trace/index.js';
import { FIXTURES, hex, readAll } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nfwasm-trace-api-'));

async function bigFile(packets: number): Promise<string> {
  const path = join(dir, `big-${packets}.pcapng`);
  const w = PcapngWriter.toFile(path);
  const data = new Uint8Array(200);
  for (let i = 0; i < packets; i++) {
    data[0] = i & 0xff;
    data[1] = (i >>> 8) & 0xff;
    w.writePacket(w.interfaceFor(i % 2 ? 'a' : 'b'), BigInt(i) * 1000n, data.subarray(0, 60 + (i % 140)));
  }
  await w.close();
  return path;
}

describe('reading API', () => {
  it('async packets() and batches() agree with the synchronous reading', async () => {
    const path = join(FIXTURES, 'merged.pcapng');
    const sync = readAll(path).packets;
    const viaAsync: TracePacket[] = [];
    for await (const p of openTrace(path, { chunkSize: 128, batchCapacity: 2 }).packets()) viaAsync.push(p);
    expect(viaAsync.map((p) => [p.number, p.timestampNs, hex(p.data)])).toEqual(
      sync.map((p) => [p.number, p.timestampNs, hex(p.data)]),
    );
    let n = 0;
    const it = openTrace(path).batches();
    for (;;) {
      const r = await it.next();
      if (r.done) {
        expect(r.value.packets).toBe(sync.length);
        break;
      }
      n += r.value.count;
    }
    expect(n).toBe(sync.length);
  });

  it('packet data are views into the chunk, not copies', () => {
    const reader = openTrace(join(FIXTURES, 'eth-usec-le.pcap'));
    reader.readSync((batch) => {
      for (let i = 0; i < batch.count; i++) {
        const bytes = batch.bytes(i);
        expect(bytes.buffer).toBe(batch.data.buffer);
        expect(batch.packet(i).data.buffer).toBe(batch.data.buffer);
      }
    });
  });

  it('reads a file many chunks long, with blocks across chunk boundaries; views outlive their batch', async () => {
    const path = await bigFile(20000);
    const kept: Uint8Array[] = [];
    let count = 0;
    const chunks = new Set<ArrayBufferLike>();
    const summary = openTrace(path, { chunkSize: 64 * 1024 }).readSync((batch) => {
      chunks.add(batch.data.buffer);
      for (let i = 0; i < batch.count; i++) {
        const n = batch.firstNumber + i - 1;
        expect(batch.capturedLength[i]).toBe(60 + (n % 140));
        expect(batch.timestamp[i]).toBe(BigInt(n) * 1000n);
        if (n % 1000 === 0) kept.push(batch.bytes(i));
        count++;
      }
    });
    expect(count).toBe(20000);
    expect(summary).toMatchObject({ packets: 20000, problems: { total: 0 } });
    expect(chunks.size).toBeGreaterThan(30);
    for (const [k, b] of kept.entries()) expect([b[0], b[1]]).toEqual([(k * 1000) & 0xff, (k * 1000) >>> 8]);
  });

  it('stops early when the callback returns false', () => {
    let batches = 0;
    const summary = openTrace(join(FIXTURES, 'merged.pcapng'), { batchCapacity: 2 }).readSync(() => {
      batches++;
      return false;
    });
    expect(batches).toBe(1);
    expect(summary.packets).toBe(2);
  });

  it('reads standard input (a pipe) with "-"', () => {
    const script = join(dir, 'stdin.ts');
    writeFileSync(
      script,
      `import { openTrace } from ${JSON.stringify(join(import.meta.dirname, '../../src/trace/index.ts'))};
      const s = openTrace('-', { chunkSize: 100 }).readSync(() => {});
      process.stdout.write(JSON.stringify([s.format, s.packets, s.problems.total]));`,
    );
    const r = spawnSync(join(import.meta.dirname, '../../node_modules/.bin/tsx'), [script], {
      input: readFileSync(join(FIXTURES, 'merged.pcapng')),
      encoding: 'utf8',
    });
    expect(r.stdout).toBe('["pcapng",12,0]');
  });
});
