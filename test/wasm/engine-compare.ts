// The two engines side by side on one trace (test/wasm/*-differential.test.ts): per packet the
// fate, the deciding rule, every emitted packet (bytes, interface, bridge port, cause, the rule
// that let it out), the conntrack state and entry; at the end the counters (as iptables-save -c)
// and the connection table. A packet the WebAssembly engine does not take throws
// WasmReplayUnsupported.

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { describeDecision, ReferenceEngine } from '../../src/engine/reference/engine.js';
import type { PacketResult } from '../../src/engine/reference/result.js';
import { WasmEngine } from '../../src/engine/wasm/engine.js';
import { printIptablesSave } from '../../src/frontend/iptables/printer.js';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { generateTrace } from '../../src/gen/index.js';
import { parseTrafficMix } from '../../src/gen/traffic-mix.js';
import { parseHostFile } from '../../src/host/index.js';
import { replayTrace } from '../../src/replay/replay-trace.js';
import { replayTraceWasm } from '../../src/replay/replay-trace-wasm.js';
import { MemorySink, PcapngWriter, traceFromBytes } from '../../src/trace/index.js';

export function scenario(rulesPath: string, hostPath: string) {
  const ruleset = loadRuleset(readFileSync(rulesPath, 'utf8'), { file: rulesPath }).ruleset;
  const host = parseHostFile(readFileSync(hostPath, 'utf8'), { file: hostPath });
  return { ruleset, host };
}

/** A generated trace, the host's own packets included, as pcapng bytes (`rate` packets a second). */
export function trace(
  s: ReturnType<typeof scenario>,
  seed: number,
  packets: number,
  mix: string,
  rate?: number,
): Uint8Array {
  const sink = new MemorySink();
  const all = new PcapngWriter(sink);
  generateTrace(all, {
    ruleset: s.ruleset,
    host: s.host,
    packets,
    flows: 400,
    seed,
    mix: parseTrafficMix(mix),
    ...(rate === undefined ? {} : { rate }),
  });
  all.flush();
  return sink.bytes();
}

export function describeResult(r: PacketResult): string {
  const f = r.fate;
  return JSON.stringify({
    fate: f.kind,
    why: 'reason' in f ? f.reason : 'to' in f ? f.to : 'oif' in f ? f.oif : '',
    by: 'decidedBy' in f && f.decidedBy ? describeDecision(f.decidedBy) : null,
    emitted: r.emitted.map((e) => [
      e.oif,
      e.port ?? '',
      Buffer.from(e.bytes).toString('hex'),
      e.cause,
      e.decidedBy ? describeDecision(e.decidedBy) : '',
    ]),
    ct: r.conntrack,
  });
}

export interface Compared {
  /** Packets compared. */
  readonly packets: number;
  /** Emitted packets compared, by cause. */
  readonly causes: Map<string, number>;
  /** Packets compared, by fate. */
  readonly fates: Map<string, number>;
  /** Emitted packets compared, by the bridge port they left by. */
  readonly ports: Map<string, number>;
}

export function compare(s: ReturnType<typeof scenario>, bytes: Uint8Array, batchSize: number): Compared {
  const ref = new ReferenceEngine(s.ruleset, s.host, { seed: 7 });
  const expected: string[] = [];
  const causes = new Map<string, number>();
  const fates = new Map<string, number>();
  const ports = new Map<string, number>();
  replayTrace(ref, traceFromBytes(bytes), {
    onPacket: (p) => {
      expected.push(describeResult(p.result));
      fates.set(p.result.fate.kind, (fates.get(p.result.fate.kind) ?? 0) + 1);
      for (const e of p.result.emitted) {
        causes.set(e.cause, (causes.get(e.cause) ?? 0) + 1);
        if (e.port) ports.set(e.port, (ports.get(e.port) ?? 0) + 1);
      }
    },
  });
  const wasm = new WasmEngine(s.ruleset, s.host, { seed: 7, batchSize });
  let n = 0;
  replayTraceWasm(wasm, traceFromBytes(bytes), {
    onPacket: (p) => {
      const got = describeResult(p.result);
      if (got !== expected[n])
        expect.fail(`packet ${p.number}:\n  reference ${expected[n]}\n  wasm      ${got}`);
      n++;
    },
  });
  expect(n).toBe(expected.length);
  expect(printIptablesSave(wasm.rulesetWithCounters(), { counters: true })).toBe(
    printIptablesSave(ref.rulesetWithCounters(), { counters: true }),
  );
  const refConns = ref.connections().map((c) => ({
    id: c.id,
    original: c.original,
    reply: c.reply,
    status: c.status,
    mark: c.mark,
    expiresAt: c.expiresAt,
  }));
  const wasmConns = wasm.connections().map((e) => ({
    id: e.id,
    original: e.original,
    reply: e.reply,
    status: e.status,
    mark: e.mark,
    expiresAt: e.timeout,
  }));
  expect(wasmConns).toEqual(refConns);
  return { packets: n, causes, fates, ports };
}
