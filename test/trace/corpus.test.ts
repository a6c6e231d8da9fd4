// Every capture in ../shared/corpus/pcaps read by our reader and by tshark: same packets (count,
// section-local interface ID and name, exact nanosecond timestamp, lengths, bytes).

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ourPackets, tsharkPackets } from './compare.js';
import { CORPUS_PCAPS, filesUnder, readAll } from './helpers.js';
import { pool, type TsharkResult, tshark, tsharkAvailable } from './tshark.js';

const captures = filesUnder(CORPUS_PCAPS).filter((f) => {
  const head = readFileSync(f).subarray(0, 4).toString('hex');
  return ['d4c3b2a1', 'a1b2c3d4', '4d3cb2a1', 'a1b23c4d', '0a0d0d0a'].includes(head);
});
const haveTshark = tsharkAvailable();
if (!haveTshark) console.warn('trace corpus: tshark not installed: comparison with tshark skipped');

describe.skipIf(captures.length === 0 || !haveTshark)('pcap corpus against tshark', () => {
  let oracle: Map<string, TsharkResult>;

  it('runs tshark on every capture', async () => {
    const results = await pool(captures, 4, tshark);
    oracle = new Map(captures.map((f, i) => [f, results[i]!]));
    expect(oracle.size).toBe(captures.length);
  }, 600_000); // uncached, tshark takes ~0.3 s of CPU per file

  it.each(captures.map((f) => [relative(CORPUS_PCAPS, f), f]))('%s', (_name, file) => {
    const truth = oracle.get(file)!;
    const ours = readAll(file, { chunkSize: 4096 });
    const expected = tsharkPackets(truth.frames, ours.summary.format === 'pcapng');
    const actual = ourPackets(ours, expected);
    if (truth.status === 0) expect(actual).toEqual(expected);
    else {
      // tshark gave up on a damaged or unsupported part; we must agree up to there.
      expect(actual.slice(0, expected.length)).toEqual(expected);
      expect(ours.summary.problems.total).toBeGreaterThan(0);
    }
  });
});
