// Packet times at the edge of the range the engines take (src/engine/packet-time.ts): both
// engines agree there, and both refuse a time past it before anything changes. A fuzzed
// capture found the engines parting when one interface's times had saturated at the int64
// limit: a connection's timeout wrapped negative in the WebAssembly engine (expired) and not in
// the reference engine's bigints (alive).

import { describe, expect, it } from 'vitest';
import { PACKET_TIME_MAX, PACKET_TIME_MIN } from '../../src/engine/packet-time.js';
import { ReferenceEngine } from '../../src/engine/reference/engine.js';
import { WasmEngine } from '../../src/engine/wasm/engine.js';
import { MemorySink, PcapngWriter, traceFromBytes } from '../../src/trace/index.js';
import { compare, describeResult, scenario, trace } from '../wasm/engine-compare.js';

const docker = () =>
  scenario('test/fixtures/wasm-engine/docker-routed.v4', 'test/fixtures/wasm-engine/routed-host.json');

describe('packet times at the edge of the range', () => {
  it('the engines agree when one interface captures at the last time the range has', () => {
    const s = docker();
    // The generated trace again, eth0's packets at PACKET_TIME_MAX: connections opened there
    // time out past 2^62 ns, then the other interfaces' packets go back to 2024.
    const sink = new MemorySink();
    const writer = new PcapngWriter(sink);
    let atLimit = 0;
    for (const p of traceFromBytes(trace(s, 3, 600, 'tcp=60,udp=40')).packetsSync()) {
      const name = p.interfaceName ?? '';
      const onEth0 = name === 'eth0';
      if (onEth0) atLimit++;
      writer.writePacket(writer.interfaceFor(name), onEth0 ? PACKET_TIME_MAX : p.timestampNs!, p.data);
    }
    writer.flush();
    expect(atLimit).toBeGreaterThan(100);
    const compared = compare(s, sink.bytes(), 64);
    expect(compared.fates.get('forwarded')).toBeGreaterThan(50);
  });

  it('both engines refuse a time past the range, before taking the packet', () => {
    const s = docker();
    let bytes = new Uint8Array(0);
    let iif = '';
    for (const p of traceFromBytes(trace(s, 1, 5, 'tcp=100')).packetsSync()) {
      bytes = p.data.slice();
      iif = p.interfaceName ?? '';
      if (!iif.startsWith('@')) break;
    }
    const wasm = new WasmEngine(s.ruleset, s.host, { seed: 1 });
    for (const t of [PACKET_TIME_MAX + 1n, PACKET_TIME_MIN - 1n, (1n << 63n) - 1n]) {
      expect(() => wasm.add(bytes, 'ethernet', iif, t)).toThrow(/outside the range the engines take/);
      expect(() =>
        wasm.addInSpan(
          0,
          bytes.length,
          'ethernet',
          iif,
          Number(t & 0xffffffffn),
          Number(BigInt.asUintN(64, t) >> 32n),
          1,
        ),
      ).toThrow(RangeError);
    }
    expect(wasm.pending).toBe(0);
    wasm.add(bytes, 'ethernet', iif, PACKET_TIME_MAX);
    wasm.add(bytes, 'ethernet', iif, PACKET_TIME_MIN);
    expect(wasm.pending).toBe(2);

    const ref = new ReferenceEngine(s.ruleset, s.host, { seed: 1 });
    const fresh = new ReferenceEngine(s.ruleset, s.host, { seed: 1 });
    const packet = { bytes, linkType: 'ethernet' as const, iif, timestampNs: PACKET_TIME_MAX + 1n };
    expect(() => ref.process(packet)).toThrow(/outside the range the engines take/);
    const ok = { ...packet, timestampNs: 1_700_000_000_000_000_000n };
    expect(describeResult(ref.process(ok))).toBe(describeResult(fresh.process(ok)));
  });
});
