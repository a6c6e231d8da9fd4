// Conntrack in WebAssembly at scale: 1M connections in linear memory, and the bytes each one
// costs (issue 4's bar: 1M conntrack entries in at most 128 MB of WebAssembly memory).

import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/engine/conntrack/index.js';
import {
  type ConntrackExports,
  CT_ENTRY_BYTES,
  WasmConntrack,
  type WasmCtPacket,
} from '../../src/engine/wasm/conntrack.js';
import { instantiateClassifier } from '../../src/engine/wasm/module.js';

const MIB = 1024 * 1024;

describe('conntrack in WebAssembly memory', () => {
  it('holds 1M connections in at most 128 MiB', () => {
    const n = 1_000_000;
    const buckets = 262_144;
    const x = instantiateClassifier('release') as unknown as ConntrackExports;
    const before = x.memory.buffer.byteLength;
    const settings = { ...DEFAULT_SETTINGS, max: n, buckets };
    const ct = new WasmConntrack(x, { settings, capacity: n, batchSize: 8192 });
    const now = 1_000_000_000_000n;
    const batch: WasmCtPacket[] = [];
    const t0 = performance.now();
    let tracked = 0;
    for (let i = 0; i < n; i++) {
      // Distinct UDP flows: 10.x.y.z:port -> 192.0.2.1:53.
      batch.push({
        pkt: {
          family: 'ipv4',
          protocol: 17,
          src: [(0x0a000000 + (i >>> 4)) >>> 0],
          dst: [0xc0000201],
          sport: 1024 + (i & 15),
          dport: 53,
          length: 60,
        },
        now,
        hook: 'prerouting',
      });
      if (batch.length === 8192 || i === n - 1) {
        for (const r of ct.track(batch)) if (r.kind === 'tracked' && r.confirm === 'ACCEPT') tracked++;
        batch.length = 0;
      }
    }
    const ms = performance.now() - t0;
    const total = x.memory.buffer.byteLength;
    // The records, the chain heads (at least one per two entries, assembly/conntrack/table.ts),
    // the NAT by-source heads (one per kernel bucket); IPv4 NAT bindings and the expiry index's
    // links live inside the record (nat-store.ts), so NATed entries cost the same.
    console.log(
      `conntrack memory: ${ct.count} entries, ${CT_ENTRY_BYTES} B/entry record, ${((total - before) / n).toFixed(2)} B/entry of WebAssembly memory growth (batch included); WebAssembly memory ${(total / MIB).toFixed(1)} MiB; ${n} inserts in ${ms.toFixed(0)} ms`,
    );
    expect(tracked).toBe(n);
    expect(ct.count).toBe(n);
    expect(ct.entries(now + 1n).length).toBe(n);
    expect(total).toBeLessThanOrEqual(128 * MIB);
  });
});
