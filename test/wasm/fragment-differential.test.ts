// IPv4 fragments in the WebAssembly path (assembly/path/defrag.ts, fragment-output.ts) against
// the reference engine (src/engine/reference/defrag.ts, reassembly.ts, fragment-output.ts) on
// hand-made traces, for what the kernel scenarios do not cover: fragments out of order, overlaps
// across runs and inside one, contradicting and empty fragments, ECN mixes, a datagram over
// 65535 bytes, queues that expire (with and without their first fragment, before a malformed
// frame), DNAT and MASQUERADE of reassembled datagrams cut again smaller than they came (and
// refused with DF), fragments passing untracked (one too big for the way out), the first
// fragment's frame addresses on the reassembled datagram, whole datagrams over the MTU from a
// router and from the host itself; and the refusal when the queues are full.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WasmEngine } from '../../src/engine/wasm/engine.js';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { writeUdpPacket } from '../../src/gen/ipv4-packets.js';
import { parseHostFile } from '../../src/host/index.js';
import { replayTraceWasm, WasmReplayUnsupported } from '../../src/replay/replay-trace-wasm.js';
import { LinkType, MemorySink, PcapngWriter, traceFromBytes } from '../../src/trace/index.js';
import { writeIpv4Header } from '../../src/wire/ipv4.js';
import { compare } from './engine-compare.js';

const HOST = join(import.meta.dirname, '../fixtures/scenarios/frag-forward-masquerade/host.json');

/** The scenario's router (eth0 192.168.1.10 to the world, eth1 10.0.0.1), ipfrag_time 1 s, eth1's MTU `mtu1`. */
function host(mtu1: number) {
  const json = JSON.parse(readFileSync(HOST, 'utf8'));
  json.sysctl = { ...json.sysctl, 'net.ipv4.ipfrag_time': 1 };
  for (const a of json.addr) if (a.ifname === 'eth1') a.mtu = mtu1;
  return parseHostFile(JSON.stringify(json), { file: 'frag-host.json' });
}

const TRACKED = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -f
-A PREROUTING -p udp
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i eth0 -p udp -m udp --dport 5000 -j DNAT --to-destination 10.0.0.30:6000
-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -f
-A POSTROUTING -p udp
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m mac --mac-source 02:00:00:00:00:01
-A INPUT -p udp -m conntrack --ctstate NEW
-A FORWARD -f -j DROP
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i eth1 -o eth0 -j ACCEPT
-A FORWARD -i eth0 -o eth1 -p udp -m udp --dport 6000 -j ACCEPT
COMMIT
`;

/** No rule needs conntrack: fragments pass PREROUTING and FORWARD one by one (no nf_defrag_ipv4). */
const UNTRACKED = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -f
-A PREROUTING -p udp -m udp --dport 53
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -f
-A INPUT -m mac --mac-source 02:00:00:00:00:01
-A INPUT -p udp
-A FORWARD -f
-A FORWARD -p udp -m udp --dport 53
COMMIT
`;

const ip = (a: string) => a.split('.').reduce((v, b) => v * 256 + Number(b), 0) >>> 0;
const HOST_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];

interface Cut {
  readonly offset: number;
  readonly length: number;
  readonly more: boolean;
  readonly df?: boolean;
  readonly tos?: number;
}

/** A trace builder: eth0 carries Ethernet frames, eth1 and @local raw IPv4. */
class Trace {
  private readonly sink = new MemorySink();
  private readonly w = new PcapngWriter(this.sink);
  private readonly eth0 = this.w.addInterface({ name: 'eth0', linkType: LinkType.Ethernet });
  private readonly eth1 = this.w.addInterface({ name: 'eth1', linkType: LinkType.Raw });
  private readonly local = this.w.addInterface({ name: '@local', linkType: LinkType.Raw });
  private t = 1_700_000_000_000_000_000n;

  /** A whole UDP datagram of `payload` bytes. */
  udp(
    src: string,
    dst: string,
    sport: number,
    dport: number,
    payload: number,
    id: number,
    df = false,
  ): Uint8Array {
    const buf = new Uint8Array(28 + payload);
    for (let i = 28; i < buf.length; i++) buf[i] = (i * 7 + id) & 0xff;
    writeUdpPacket(buf, 0, { src: ip(src), dst: ip(dst), id, ttl: 64 }, { sport, dport, payload });
    // writeUdpPacket zeroes the payload: put bytes back and fix the UDP checksum to none.
    for (let i = 28; i < buf.length; i++) buf[i] = (i * 7 + id) & 0xff;
    buf[26] = 0;
    buf[27] = 0;
    if (df) {
      buf[6] = 0x40;
      this.fixHeader(buf);
    }
    return buf;
  }

  private fixHeader(b: Uint8Array): void {
    const v = new DataView(b.buffer, b.byteOffset);
    writeIpv4Header(b, 0, {
      totalLength: v.getUint16(2),
      id: v.getUint16(4),
      fragField: v.getUint16(6),
      tos: b[1]!,
      ttl: b[8]!,
      protocol: b[9]!,
      src: v.getUint32(12),
      dst: v.getUint32(16),
    });
  }

  /** One fragment of datagram `d`: `length` data bytes from `offset`. */
  cut(d: Uint8Array, c: Cut): Uint8Array {
    const f = new Uint8Array(20 + c.length);
    f.set(d.subarray(0, 20));
    f.set(d.subarray(20 + c.offset, 20 + c.offset + c.length), 20);
    const v = new DataView(f.buffer);
    v.setUint16(2, 20 + c.length);
    v.setUint16(6, (c.offset >>> 3) | (c.more ? 0x2000 : 0) | (c.df ? 0x4000 : 0));
    if (c.tos !== undefined) f[1] = c.tos;
    this.fixHeader(f);
    return f;
  }

  /** Frames `gapMs` apart; eth0's from source MAC 02:00:00:00:00:<mac>. */
  send(iface: 'eth0' | 'eth1' | '@local', bytes: Uint8Array, gapMs = 1, mac = 1): void {
    this.t += BigInt(gapMs) * 1_000_000n;
    if (iface === 'eth0') {
      const frame = new Uint8Array(14 + bytes.length);
      frame.set(HOST_MAC, 0);
      frame.set([2, 0, 0, 0, 0, mac, 0x08, 0x00], 6);
      frame.set(bytes, 14);
      this.w.writePacket(this.eth0, this.t, frame);
    } else this.w.writePacket(iface === 'eth1' ? this.eth1 : this.local, this.t, bytes);
  }

  /** The fragments of `d` in the order given. */
  fragments(iface: 'eth0' | 'eth1', d: Uint8Array, cuts: readonly Cut[], mac = 1): void {
    for (const c of cuts) this.send(iface, this.cut(d, c), 1, mac);
  }

  bytes(): Uint8Array {
    this.w.flush();
    return this.sink.bytes();
  }
}

/** 3 pieces of a 108-byte datagram payload+header (48 + 48 + 12 data bytes). */
const THREE: readonly Cut[] = [
  { offset: 0, length: 48, more: true },
  { offset: 48, length: 48, more: true },
  { offset: 96, length: 12, more: false },
];

function trackedTrace(): Uint8Array {
  const t = new Trace();
  // In order, forwarded and MASQUERADEd out of eth0 as the same 3 fragments.
  t.fragments('eth1', t.udp('10.0.0.20', '8.8.8.8', 5353, 53, 100, 1), THREE);
  // Out of order: last, first, middle; then middle, last, first.
  const d2 = t.udp('10.0.0.20', '8.8.8.8', 5354, 53, 100, 2);
  t.fragments('eth1', d2, [THREE[2]!, THREE[0]!, THREE[1]!]);
  const d3 = t.udp('10.0.0.20', '8.8.8.8', 5355, 53, 100, 3);
  t.fragments('eth1', d3, [THREE[1]!, THREE[2]!, THREE[0]!]);
  // A fragment spanning two runs (48-64 and 80-96 arrived apart) overlaps: the queue goes; the
  // rest that comes after waits in a new queue until it expires.
  const d4 = t.udp('203.0.113.7', '192.168.1.10', 40000, 7000, 100, 4);
  t.fragments('eth0', d4, [
    { offset: 48, length: 16, more: true },
    { offset: 80, length: 16, more: true },
    { offset: 56, length: 32, more: true },
    { offset: 0, length: 48, more: true },
  ]);
  // Inside one run (0-48 then 48-96 in order): a duplicate, dropped alone; the datagram completes.
  const d5 = t.udp('203.0.113.7', '192.168.1.10', 40001, 7001, 100, 5);
  t.fragments('eth0', d5, [THREE[0]!, THREE[1]!, { offset: 40, length: 16, more: true }, THREE[2]!]);
  // Two last fragments that disagree; one beyond the datagram's end; an empty middle one.
  const d6 = t.udp('203.0.113.7', '192.168.1.10', 40002, 7002, 100, 6);
  t.fragments('eth0', d6, [THREE[2]!, { offset: 88, length: 12, more: false }]);
  const d7 = t.udp('203.0.113.7', '192.168.1.10', 40003, 7003, 100, 7);
  t.fragments('eth0', d7, [THREE[2]!, { offset: 96, length: 24, more: true }]);
  const d8 = t.udp('203.0.113.7', '192.168.1.10', 40004, 7004, 100, 8);
  t.fragments('eth0', d8, [THREE[0]!, { offset: 48, length: 5, more: true }]);
  // ECN: Not-ECT with ECT(0) is dropped when complete; CE with ECT(0) gives CE.
  const d9 = t.udp('203.0.113.7', '192.168.1.10', 40005, 7005, 100, 9);
  t.fragments('eth0', d9, [
    { ...THREE[0]!, tos: 2 },
    { ...THREE[1]!, tos: 0 },
    { ...THREE[2]!, tos: 2 },
  ]);
  const d10 = t.udp('203.0.113.7', '192.168.1.10', 40006, 7006, 100, 10);
  t.fragments('eth0', d10, [
    { ...THREE[0]!, tos: 3 },
    { ...THREE[1]!, tos: 2 },
    { ...THREE[2]!, tos: 2 },
  ]);
  // The first fragment's MAC is the datagram's (the mac rule counts it); the last came from another.
  const d11 = t.udp('203.0.113.7', '192.168.1.10', 40007, 7007, 100, 11);
  t.fragments('eth0', d11, [THREE[1]!, THREE[2]!], 2);
  t.fragments('eth0', d11, [THREE[0]!], 1);
  const d12 = t.udp('203.0.113.7', '192.168.1.10', 40008, 7008, 100, 12);
  t.fragments('eth0', d12, [THREE[0]!], 3);
  t.fragments('eth0', d12, [THREE[1]!, THREE[2]!], 1);
  // DNAT'd to 10.0.0.30 behind eth1 (MTU 576): 1000-byte fragments leave in pieces of 576 at
  // most; with DF on them, fragmentation needed. Small DF fragments leave as they came.
  const d13 = t.udp('198.51.100.9', '192.168.1.10', 40100, 5000, 2400, 13);
  t.fragments('eth0', d13, [
    { offset: 0, length: 1000, more: true },
    { offset: 1000, length: 1000, more: true },
    { offset: 2000, length: 408, more: false },
  ]);
  const d14 = t.udp('198.51.100.9', '192.168.1.10', 40101, 5000, 2400, 14);
  t.fragments('eth0', d14, [
    { offset: 0, length: 1000, more: true, df: true },
    { offset: 1000, length: 1000, more: true, df: true },
    { offset: 2000, length: 408, more: false, df: true },
  ]);
  const d15 = t.udp('198.51.100.9', '192.168.1.10', 40102, 5000, 100, 15);
  t.fragments('eth0', d15, [
    { ...THREE[0]!, df: true },
    { ...THREE[1]!, df: true },
    { ...THREE[2]!, df: true },
  ]);
  // The reply to the first datagram, fragmented, de-MASQUERADEd to 10.0.0.20.
  const r1 = t.udp('8.8.8.8', '192.168.1.10', 53, 5353, 300, 16);
  t.fragments('eth0', r1, [
    { offset: 200, length: 108, more: false },
    { offset: 0, length: 104, more: true },
    { offset: 104, length: 96, more: true },
  ]);
  // A datagram over 65535 bytes: 45 fragments of 1480, dropped when complete.
  const big = t.udp('203.0.113.8', '192.168.1.10', 40200, 7200, 66592, 17);
  const cuts: Cut[] = [];
  for (let o = 0; o < 66600; o += 1480)
    cuts.push({ offset: o, length: Math.min(1480, 66600 - o), more: o + 1480 < 66600 });
  t.fragments('eth0', big, cuts);
  // A whole datagram too big for eth1 without DF is cut by a router; the host's own too.
  t.send('eth0', t.udp('198.51.100.9', '192.168.1.10', 40103, 5000, 1200, 18));
  t.send('@local', t.udp('10.0.0.1', '10.0.0.30', 41000, 9000, 1200, 19));
  t.send('@local', t.udp('10.0.0.1', '10.0.0.30', 41001, 9000, 1200, 20, true));
  // Lone fragments: a first one to the host (time exceeded after 1 s), a first one being
  // forwarded and a later one (both expire silently); then a malformed frame when they expire.
  t.fragments('eth0', t.udp('203.0.113.7', '192.168.1.10', 40300, 7300, 100, 21), [THREE[0]!]);
  t.fragments('eth1', t.udp('10.0.0.20', '8.8.8.8', 5356, 53, 100, 22), [THREE[0]!]);
  t.fragments('eth0', t.udp('203.0.113.7', '192.168.1.10', 40301, 7301, 100, 23), [THREE[1]!]);
  t.send('eth0', new Uint8Array([0x43, 0, 0, 20]), 1500);
  t.fragments('eth0', t.udp('203.0.113.7', '192.168.1.10', 40302, 7302, 100, 24), [THREE[0]!]);
  // The rest of an expired datagram starts a new queue; a whole datagram still gets its answer.
  t.send('eth0', t.cut(t.udp('203.0.113.7', '192.168.1.10', 40302, 7302, 100, 24), THREE[1]!), 1500);
  t.send('eth0', t.udp('203.0.113.7', '192.168.1.10', 40303, 7303, 20, 25));
  return t.bytes();
}

function untrackedTrace(): Uint8Array {
  const t = new Trace();
  // Forwarded one by one, a later fragment first; the first alone is too big for eth1.
  const d1 = t.udp('203.0.113.7', '10.0.0.20', 40000, 53, 1300, 1);
  t.fragments('eth0', d1, [
    { offset: 1200, length: 108, more: false },
    { offset: 0, length: 1200, more: true },
  ]);
  // To the host: reassembled by ip_local_deliver after PREROUTING (out of order), port unreachable.
  const d2 = t.udp('203.0.113.7', '192.168.1.10', 40001, 9999, 100, 2);
  t.fragments('eth0', d2, [THREE[1]!, THREE[2]!], 2);
  t.fragments('eth0', d2, [THREE[0]!], 1);
  // An overlap at local delivery, and a lone first fragment to the host that expires (ICMP).
  const d3 = t.udp('203.0.113.7', '192.168.1.10', 40002, 9999, 100, 3);
  t.fragments('eth0', d3, [THREE[0]!, { offset: 40, length: 16, more: true }]);
  t.fragments('eth0', t.udp('203.0.113.7', '192.168.1.10', 40003, 9999, 100, 4), [THREE[0]!]);
  t.send('eth0', t.udp('203.0.113.7', '192.168.1.10', 40004, 9999, 20, 5), 1500);
  return t.bytes();
}

describe('WebAssembly engine = reference engine on fragments', () => {
  const tracked = { ruleset: loadRuleset(TRACKED, { file: 'tracked.v4' }).ruleset, host: host(576) };
  const untracked = { ruleset: loadRuleset(UNTRACKED, { file: 'untracked.v4' }).ruleset, host: host(576) };
  for (const batch of [1, 4, 64]) {
    it(`conntrack's defrag: order, overlaps, ECN, NAT, MTU, expiry: batches of ${batch}`, () => {
      const r = compare(tracked, trackedTrace(), batch);
      expect(r.fates.get('queued')).toBe(79);
      expect(r.fates.get('malformed')).toBe(1);
      expect(r.causes.get('ip_expire: fragment reassembly time exceeded')).toBe(3);
      expect(r.causes.get('ip_forward: fragmentation needed')).toBe(1);
      // The host's own datagram over eth1's MTU leaves in 3 fragments.
      expect(r.causes.get('sent by the host')).toBe(3);
    });
    it(`fragments without conntrack: forwarded one by one, reassembled for local delivery: batches of ${batch}`, () => {
      const r = compare(untracked, untrackedTrace(), batch);
      expect(r.fates.get('queued')).toBe(4);
      expect(r.causes.get('ip_expire: fragment reassembly time exceeded')).toBe(1);
      expect(r.causes.get('forwarded')).toBeGreaterThan(3);
    });
  }
  it('refuses, as a whole, more fragment queues than it holds', () => {
    const t = new Trace();
    for (let id = 1; id <= 65; id++)
      t.fragments('eth0', t.udp('203.0.113.7', '192.168.1.10', 40000 + id, 7000, 100, id), [THREE[0]!]);
    const engine = new WasmEngine(tracked.ruleset, tracked.host, { seed: 7 });
    expect(() => replayTraceWasm(engine, traceFromBytes(t.bytes()))).toThrow(WasmReplayUnsupported);
    expect(() =>
      replayTraceWasm(new WasmEngine(tracked.ruleset, tracked.host, { seed: 7 }), traceFromBytes(t.bytes())),
    ).toThrow(/fragment queues/);
  });
});
