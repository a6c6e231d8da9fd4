// A small connection table on a bridge that REJECTs: each tcp-reset tied to a connection its
// packet never confirmed binds source NAT on it, and the WebAssembly engine keeps that record
// for NAT's by-source index (table.ts keepReleased), as the reference engine keeps the entry.
// Kept records are not counted against nf_conntrack_max, so with nf_conntrack_max 8 the
// preallocated records ran out while the table still had room: the WebAssembly engine dropped
// a new connection the reference engine took (found by fuzzing host sysctls). It now gives the
// trace up to the reference engine at that packet instead.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReferenceEngine } from '../../src/engine/reference/engine.js';
import { WasmEngine } from '../../src/engine/wasm/engine.js';
import { parseHostFile } from '../../src/host/index.js';
import { replayTrace } from '../../src/replay/replay-trace.js';
import { replayTraceWasm } from '../../src/replay/replay-trace-wasm.js';
import { traceFromBytes } from '../../src/trace/index.js';
import { compare, scenario, trace } from './engine-compare.js';

describe('connection records kept for NAT', () => {
  it('a new connection with no record free below nf_conntrack_max is given up, not dropped', () => {
    const s = scenario('test/fixtures/wasm-engine/bridged.v4', 'test/fixtures/wasm-engine/bridged-host.json');
    const json = JSON.parse(readFileSync('test/fixtures/wasm-engine/bridged-host.json', 'utf8'));
    json.sysctl = { ...json.sysctl, 'net.netfilter.nf_conntrack_max': 8 };
    const host = parseHostFile(JSON.stringify(json), { file: 'bridged-host.json (nf_conntrack_max 8)' });
    const bytes = trace(s, 3, 300, 'tcp=60,udp=30,icmp=10');
    const wasm = new WasmEngine(s.ruleset, host, { seed: 7 });
    expect(() => replayTraceWasm(wasm, traceFromBytes(bytes), { onPacket: () => {} })).toThrow(
      /packet 17: .*no connection record free below nf_conntrack_max/,
    );
  });

  it('a packet conntrack drops for want of room reads INVALID, with the kernel message, in both engines', () => {
    // kube-proxy's node with a table of one connection: most new connections find it full.
    const s = scenario(
      'test/fixtures/wasm-engine/kube-proxy-8.v4',
      'test/fixtures/wasm-engine/routed-kube-host.json',
    );
    const json = JSON.parse(readFileSync('test/fixtures/wasm-engine/routed-kube-host.json', 'utf8'));
    json.sysctl = { ...json.sysctl, 'net.netfilter.nf_conntrack_max': 1 };
    const small = {
      ruleset: s.ruleset,
      host: parseHostFile(JSON.stringify(json), { file: 'kube host (max 1)' }),
    };
    const bytes = trace(small, 5, 300, 'tcp=60,udp=40');
    let full = 0;
    replayTrace(new ReferenceEngine(small.ruleset, small.host, { seed: 7 }), traceFromBytes(bytes), {
      onPacket: (p) => {
        const f = p.result.fate;
        if (f.kind === 'dropped' && f.reason === 'conntrack: nf_conntrack: table full, dropping packet') {
          expect(p.result.conntrack).toEqual({ state: 'INVALID', entry: null });
          full++;
        }
      },
    });
    expect(full).toBeGreaterThan(20);
    compare(small, bytes, 64);
  });
});
