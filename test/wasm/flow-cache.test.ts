// The flow cache (assembly/path/flow-cache.ts) names the connection a flow's packets belong to;
// once conntrack has deleted that connection, the name must not be used again, even while the
// freed record still carries the connection's id and status. Hand-written packets through the
// routed Docker fixture, the WebAssembly engine against the reference engine packet by packet.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { populationWorkload, runWasmPopulation } from '../../bench/lib/population.js';
import { describeDecision, ReferenceEngine } from '../../src/engine/reference/engine.js';
import type { PacketResult } from '../../src/engine/reference/result.js';
import { WasmEngine } from '../../src/engine/wasm/engine.js';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { parseHostFile } from '../../src/host/index.js';
import { parsePacketSpec } from '../../src/wire/packet-text.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/wasm-engine');
const ruleset = loadRuleset(readFileSync(join(FIXTURES, 'docker-routed.v4'), 'utf8'), {
  file: 'docker-routed.v4',
}).ruleset;

function hostWith(sysctl: Record<string, number>) {
  const json = JSON.parse(readFileSync(join(FIXTURES, 'routed-host.json'), 'utf8'));
  json.sysctl = { ...json.sysctl, ...sysctl };
  return parseHostFile(JSON.stringify(json), { file: 'routed-host.json' });
}

function summary(r: PacketResult): string {
  const f = r.fate;
  return JSON.stringify({
    fate: f.kind,
    by: 'decidedBy' in f && f.decidedBy ? describeDecision(f.decidedBy) : null,
    emitted: r.emitted.map((e) => [e.oif, Buffer.from(e.bytes).toString('hex')]),
    ct: r.conntrack?.state ?? null,
  });
}

/** Each packet through both engines (one WebAssembly batch per packet); their summaries. */
function run(
  specs: readonly string[],
  sysctl: Record<string, number>,
): { reference: string[]; wasm: string[] } {
  const host = hostWith(sysctl);
  const ref = new ReferenceEngine(ruleset, host, { seed: 1 });
  const wasm = new WasmEngine(ruleset, host, { seed: 1, batchSize: 1 });
  const reference: string[] = [];
  const out: string[] = [];
  specs.forEach((spec, i) => {
    const s = parsePacketSpec(spec);
    if ('error' in s) throw new Error(s.error);
    const frame = { bytes: s.bytes, linkType: s.linkType, iif: s.iif!, timestampNs: BigInt(i) * 1_000_000n };
    reference.push(summary(ref.process(frame)));
    wasm.add(frame.bytes, frame.linkType, frame.iif, frame.timestampNs);
    wasm.run();
    out.push(summary(wasm.result(0)));
    wasm.clear();
  });
  return { reference, wasm: out };
}

describe('the flow cache forgets deleted connections', () => {
  it('early drop frees two unassured connections and reuses one record: the other is not named again', () => {
    // Two connections at most, all in one bucket: the third flow's first packet makes early
    // drop delete both (UDP is unassured for its first two seconds).
    const { reference, wasm } = run(
      [
        'udp 172.17.0.2:5000 > 198.51.100.7:53 iif docker0 len 32',
        'udp 198.51.100.7:53 > 192.168.1.10:5000 iif eth0 len 32',
        // Replayed from the flow cache.
        'udp 198.51.100.7:53 > 192.168.1.10:5000 iif eth0 len 32',
        'udp 172.17.0.3:5001 > 198.51.100.8:53 iif docker0 len 32',
        'udp 198.51.100.8:53 > 192.168.1.10:5001 iif eth0 len 32',
        'udp 198.51.100.8:53 > 192.168.1.10:5001 iif eth0 len 32',
        'udp 172.17.0.4:5002 > 198.51.100.9:53 iif docker0 len 32',
        // Both earlier connections are gone: these are for the host itself now.
        // The record early drop freed last is the new flow's; the other keeps its old id until
        // reused: the flow cache must see it is no longer a connection.
        'udp 198.51.100.8:53 > 192.168.1.10:5001 iif eth0 len 32',
        'udp 198.51.100.7:53 > 192.168.1.10:5000 iif eth0 len 32',
      ],
      { 'net.netfilter.nf_conntrack_max': 2, 'net.netfilter.nf_conntrack_buckets': 1 },
    );
    expect(wasm).toEqual(reference);
    expect(JSON.parse(reference[2]!).fate).toBe('forwarded');
    expect(JSON.parse(reference[7]!).fate).toBe('dropped');
    expect(JSON.parse(reference[8]!).fate).toBe('dropped');
  });
});

describe('flow cache capacity', () => {
  it('replays both directions of a thousand connections (their keys differ only in bytes that follow one another)', () => {
    // Established connections of the bench's Docker host, data one way and ACKs back: every
    // packet but the first of each direction can replay. A hash whose sets depend on the key
    // words' high bytes only crowded the reply directions into a few sets (about half replayed).
    const workload = populationWorkload(1000);
    const { timedReplays } = runWasmPopulation(workload, 1000, 40_000, 1);
    expect(timedReplays / 40_000).toBeGreaterThan(0.85);
  });
});
