// The host's own packets built in WebAssembly (assembly/path/reject.ts) against the TypeScript
// builders: REJECT's rejectTcpReset4 / rejectIcmpUnreach4 (src/wire/reject.ts) and the stack's
// icmpError4 / icmpEchoReply4 (src/engine/reference/kernel-icmp.ts). Every offending datagram
// goes through all four with random parameters (TTL, IP id, source, MTU, ICMP type/code/info,
// checksum trust); the reply bytes — or "no reply" — must be the same. Datagrams: generator
// traces (src/gen), the capture corpus (../shared/corpus/pcaps, skipped when missing), hand-made
// edge cases (fragments, bad checksums, RSTs, ICMP errors, IP options, long datagrams cut at the
// quoting limit, malformed headers, every protocol the checksum rule names) and random
// mutations of all of them. NFWASM_FUZZ=long runs ten times as many mutations.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Xoshiro128ss } from '../../src/engine/conntrack/prng.js';
import { icmpEchoReply4, icmpError4 } from '../../src/engine/reference/kernel-icmp.js';
import { instantiateClassifier } from '../../src/engine/wasm/module.js';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { generateTrace } from '../../src/gen/generate-trace.js';
import { writeIcmpEcho, writeIcmpError, writeTcpPacket, writeUdpPacket } from '../../src/gen/ipv4-packets.js';
import { parseTrafficMix } from '../../src/gen/traffic-mix.js';
import { parseHostFile } from '../../src/host/index.js';
import { LinkType, MemorySink, openTrace, PcapngWriter, traceFromBytes } from '../../src/trace/index.js';
import { put16 } from '../../src/wire/bytes.js';
import { internetChecksum, ipv4PseudoSum, segmentChecksum } from '../../src/wire/checksum.js';
import { writeIpv4Header } from '../../src/wire/ipv4.js';
import { type RejectResult, rejectIcmpUnreach4, rejectTcpReset4 } from '../../src/wire/reject.js';
import { CORPUS_PCAPS, filesUnder } from '../trace/helpers.js';

const LONG = process.env.NFWASM_FUZZ === 'long';

interface RejectExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  alloc(bytes: number): number;
  rejectTcpReset4(pkt: number, len: number, ttl: number, checksumTrusted: number, out: number): number;
  rejectIcmpUnreach4(
    pkt: number,
    len: number,
    code: number,
    id: number,
    src: number,
    useSrc: number,
    mtu: number,
    ttl: number,
    checksumTrusted: number,
    out: number,
  ): number;
  icmpError4(
    pkt: number,
    len: number,
    type: number,
    code: number,
    info: number,
    src: number,
    id: number,
    mtu: number,
    ttl: number,
    out: number,
  ): number;
  icmpEchoReply4(pkt: number, len: number, id: number, ttl: number, out: number): number;
}

const MAX_DATAGRAM = 1 << 17;

class Rng {
  private readonly g: Xoshiro128ss;
  constructor(seed: number) {
    this.g = new Xoshiro128ss(seed ^ 0x2545f491);
  }
  u32(): number {
    return this.g.nextU32();
  }
  int(n: number): number {
    return this.g.nextU32() % n;
  }
  chance(p: number): boolean {
    return this.g.nextU32() / 2 ** 32 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** The IPv4 datagram of a captured frame (from its IP header to the end of the capture), or null. */
function ipv4Of(data: Uint8Array, linkType: number): Uint8Array | null {
  let off = -1;
  const type16 = (o: number): number => (data[o]! << 8) | data[o + 1]!;
  if (linkType === LinkType.Ethernet) {
    off = 14;
    let t = type16(12);
    while ((t === 0x8100 || t === 0x88a8) && data.length >= off + 4) {
      t = type16(off + 2);
      off += 4;
    }
    if (t !== 0x0800) return null;
  } else if (linkType === LinkType.Raw || linkType === LinkType.Ipv4) off = 0;
  else if (linkType === LinkType.LinuxSll) {
    if (type16(14) !== 0x0800) return null;
    off = 16;
  } else if (linkType === LinkType.LinuxSll2) {
    if (type16(0) !== 0x0800) return null;
    off = 20;
  } else return null;
  if (data.length <= off || data[off]! >> 4 !== 4) return null;
  const ip = data.slice(off);
  return ip.length <= MAX_DATAGRAM ? ip : null;
}

/** Datagrams of a generated trace (docker-host example, every traffic kind, invalid ones too). */
function generated(seed: number, packets: number): Uint8Array[] {
  const rules = 'examples/docker-host/rules.v4';
  const ruleset = loadRuleset(readFileSync(rules, 'utf8'), { file: rules }).ruleset;
  const host = parseHostFile(readFileSync('examples/docker-host/host.json', 'utf8'), { file: 'host.json' });
  const sink = new MemorySink();
  const writer = new PcapngWriter(sink);
  generateTrace(writer, {
    ruleset,
    host,
    packets,
    flows: 300,
    seed,
    mix: parseTrafficMix('tcp=45,udp=25,icmp=20,invalid=10'),
  });
  writer.flush();
  const out: Uint8Array[] = [];
  for (const p of traceFromBytes(sink.bytes()).packetsSync()) {
    const ip = ipv4Of(p.data, p.linkType);
    if (ip) out.push(ip);
  }
  return out;
}

/** IPv4 datagrams of every capture in the corpus ([] when it is missing). */
function corpus(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of filesUnder(CORPUS_PCAPS)) {
    const head = readFileSync(f).subarray(0, 4).toString('hex');
    if (!['d4c3b2a1', 'a1b2c3d4', '4d3cb2a1', 'a1b23c4d', '0a0d0d0a'].includes(head)) continue;
    try {
      for (const p of openTrace(f).packetsSync()) {
        const ip = ipv4Of(p.data, p.linkType);
        if (ip) out.push(ip);
      }
    } catch {
      // A damaged capture: the packets read before the damage are kept.
    }
  }
  return out;
}

const ENDS = { src: 0xc6336407, dst: 0xc0a8010a, id: 0x1234, ttl: 63 };

/** Hand-made offending datagrams: each rule of the builders, both ways. */
function edgeCases(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  const take = (n: number): Uint8Array => buf.slice(0, n);
  // TCP with every flag combination that matters, payload sizes, SYN/FIN counting.
  for (const flags of [0x02, 0x12, 0x10, 0x18, 0x11, 0x01, 0x04, 0x14, 0x03, 0x00, 0x29, 0xff]) {
    for (const payload of [0, 1, 100, 1400]) {
      const n = writeTcpPacket(buf, 0, ENDS, {
        sport: 40000,
        dport: 80,
        seq: 0xfffffff0,
        ack: 0x01020304,
        flags,
        payload,
      });
      out.push(take(n));
    }
  }
  // UDP (with and without a checksum), long enough to be cut at the quoting limit.
  for (const payload of [0, 12, 520, 548, 549, 1472]) {
    const n = writeUdpPacket(buf, 0, ENDS, { sport: 5353, dport: 53, payload });
    out.push(take(n));
    const noSum = take(n);
    put16(noSum, 26, 0);
    out.push(noSum);
  }
  // ICMP echo and replies, and ICMP errors about TCP/UDP/ICMP packets.
  for (const type of [8, 0, 13, 14, 15, 16, 17, 18, 19, 40, 255]) {
    const n = writeIcmpEcho(buf, 0, ENDS, { type, id: 7, seq: 9, payload: 56 });
    out.push(take(n));
  }
  const quoteBuf = new Uint8Array(256);
  const ql = writeUdpPacket(
    quoteBuf,
    0,
    { ...ENDS, src: ENDS.dst, dst: ENDS.src },
    { sport: 53, dport: 5353, payload: 40 },
  );
  for (const type of [3, 4, 5, 11, 12, 1, 2, 6, 7, 9, 10]) {
    const n = writeIcmpError(buf, 0, ENDS, { type, code: 3, quote: quoteBuf.slice(0, 28) });
    out.push(take(n));
    const m = writeIcmpError(buf, 0, ENDS, { type, code: 1, quote: quoteBuf.slice(0, ql) });
    out.push(take(m));
  }
  // IP options (echoed by nobody, quoted as they are), with TCP and ICMP inside.
  for (const optLen of [4, 8, 20, 40]) {
    const options = Array.from({ length: optLen }, (_, i) => (i === 0 ? 0x94 : i === 1 ? 4 : 1));
    for (const proto of [6, 17, 1]) {
      const hl = 20 + optLen;
      const l4Len = proto === 6 ? 20 + 10 : proto === 17 ? 8 + 10 : 8 + 10;
      const d = new Uint8Array(hl + l4Len);
      writeIpv4Header(d, 0, { ...ENDS, totalLength: d.length, protocol: proto, options });
      const l4 = hl;
      if (proto === 6) {
        put16(d, l4, 1234);
        put16(d, l4 + 2, 443);
        d[l4 + 12] = 0x50;
        d[l4 + 13] = 0x02;
        put16(d, l4 + 16, segmentChecksum(d, l4, d.length, 16, ipv4PseudoSum(ENDS.src, ENDS.dst, 6, l4Len)));
      } else if (proto === 17) {
        put16(d, l4, 1234);
        put16(d, l4 + 2, 53);
        put16(d, l4 + 4, l4Len);
        put16(d, l4 + 6, segmentChecksum(d, l4, d.length, 6, ipv4PseudoSum(ENDS.src, ENDS.dst, 17, l4Len)));
      } else {
        d[l4] = 8;
        put16(d, l4 + 2, internetChecksum(d, l4, d.length));
      }
      out.push(d);
    }
  }
  // Protocols the checksum rule names (GRE, ESP, AH, SCTP, UDP-Lite) and others, bad sums.
  for (const proto of [47, 50, 51, 132, 136, 41, 89, 0, 255]) {
    for (const l4Len of [0, 3, 8, 40]) {
      const d = new Uint8Array(20 + l4Len);
      for (let i = 20; i < d.length; i++) d[i] = (i * 37) & 0xff;
      writeIpv4Header(d, 0, { ...ENDS, totalLength: d.length, protocol: proto });
      out.push(d);
    }
  }
  // Short transport segments: UDP/TCP/ICMP with tot_len cutting their headers.
  for (const proto of [6, 17, 1]) {
    for (const l4Len of [0, 1, 4, 6, 7, 19]) {
      const d = new Uint8Array(20 + l4Len + 8);
      for (let i = 20; i < d.length; i++) d[i] = (i * 11 + 3) & 0xff;
      writeIpv4Header(d, 0, { ...ENDS, totalLength: 20 + l4Len, protocol: proto });
      out.push(d);
      out.push(d.slice(0, 20 + l4Len));
    }
  }
  // Headers the structural checks refuse, and tails past tot_len.
  const base = take(
    writeTcpPacket(buf, 0, ENDS, { sport: 1, dport: 2, seq: 3, ack: 4, flags: 0x02, payload: 8 }),
  );
  const variants: ((d: Uint8Array) => Uint8Array)[] = [
    (d) => d.slice(0, 19),
    (d) => d.slice(0, 0),
    (d) => d.slice(0, 1),
    (d) => d.slice(0, 3),
    (d) => d.slice(0, 21),
    (d) => d.slice(0, d.length - 1),
    (d) => {
      d[0] = 0x65;
      return d;
    },
    (d) => {
      d[0] = 0x44;
      return d;
    },
    (d) => {
      d[0] = 0x4f;
      return d;
    },
    (d) => {
      d[0] = 0x40;
      return d;
    },
    (d) => {
      put16(d, 2, 19);
      return d;
    },
    (d) => {
      put16(d, 2, d.length + 1);
      return d;
    },
    (d) => {
      const e = new Uint8Array(d.length + 30);
      e.set(d);
      e.fill(0xaa, d.length);
      return e;
    },
  ];
  for (const v of variants) out.push(v(base.slice()));
  // Fragments: first (MF), non-first, offset-only, reserved and DF bits.
  for (const frag of [0x2000, 0x2001, 0x0001, 0x1fff, 0x8000, 0x4000, 0x6000, 0x3fff]) {
    for (const proto of [6, 17, 1]) {
      const n =
        proto === 6
          ? writeTcpPacket(buf, 0, ENDS, { sport: 5, dport: 6, seq: 7, ack: 8, flags: 0x18, payload: 30 })
          : proto === 17
            ? writeUdpPacket(buf, 0, ENDS, { sport: 5, dport: 6, payload: 30 })
            : writeIcmpEcho(buf, 0, ENDS, { type: 8, id: 5, seq: 6, payload: 30 });
      const d = take(n);
      put16(d, 6, frag);
      put16(d, 10, 0);
      put16(d, 10, internetChecksum(d, 0, 20));
      out.push(d);
    }
  }
  // Bad transport checksums.
  for (const proto of [6, 17, 1]) {
    const n =
      proto === 6
        ? writeTcpPacket(buf, 0, ENDS, { sport: 5, dport: 6, seq: 7, ack: 8, flags: 0x02, payload: 0 })
        : proto === 17
          ? writeUdpPacket(buf, 0, ENDS, { sport: 5, dport: 6, payload: 3 })
          : writeIcmpEcho(buf, 0, ENDS, { type: 8, id: 5, seq: 6, payload: 3 });
    const d = take(n);
    d[n - 1] = d[n - 1]! ^ 0x40;
    out.push(d);
  }
  // All-zero transport (a zero sum is not a valid checksum), the largest datagram.
  const zeros = new Uint8Array(60);
  writeIpv4Header(zeros, 0, { ...ENDS, totalLength: 60, protocol: 1 });
  out.push(zeros);
  const big = new Uint8Array(65535);
  writeIpv4Header(big, 0, { ...ENDS, totalLength: 65535, protocol: 17 });
  out.push(big);
  const bigEcho = new Uint8Array(65535);
  writeIpv4Header(bigEcho, 0, { ...ENDS, totalLength: 65535, protocol: 1 });
  bigEcho[20] = 8;
  put16(bigEcho, 22, internetChecksum(bigEcho, 20, 65535));
  out.push(bigEcho);
  return out;
}

/** A random change to a datagram: bytes flipped, a field rewritten, cut or extended. */
function mutate(rng: Rng, d: Uint8Array): Uint8Array {
  let m = d.slice();
  const hl = m.length > 0 ? (m[0]! & 15) * 4 : 0;
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    const k = rng.int(12);
    if (k === 0 && m.length > 0) {
      const i = rng.int(m.length);
      m[i] = m[i]! ^ (1 << rng.int(8));
    } else if (k === 1 && m.length > 0) m = m.slice(0, rng.int(m.length));
    else if (k === 2) {
      const e = new Uint8Array(m.length + 1 + rng.int(40));
      e.set(m);
      for (let i = m.length; i < e.length; i++) e[i] = rng.int(256);
      m = e;
    } else if (k === 3 && m.length >= 8) put16(m, 6, rng.pick([0x2000, 0x0001, 0x4000, rng.int(0x10000)]));
    else if (k === 4 && m.length >= 4)
      put16(m, 2, rng.chance(0.5) ? rng.int(m.length + 8) : rng.int(0x10000));
    else if (k === 5 && m.length >= 10) m[9] = rng.pick([1, 6, 17, 47, 50, 51, 132, 136, rng.int(256)]);
    else if (k === 6 && hl + 14 <= m.length)
      m[hl + 13] = rng.int(256); // TCP flags / data
    else if (k === 7 && hl < m.length) m[hl] = rng.pick([0, 3, 5, 8, 11, 12, 13, 18, 19, rng.int(256)]);
    else if (k === 8 && m.length > 0) m[0] = rng.pick([0x45, 0x46, 0x4f, 0x44, 0x55, rng.int(256)]);
    else if (k === 9 && hl + 8 <= m.length)
      put16(m, hl + 6, 0); // no UDP checksum
    else if (k === 10 && m.length >= 2)
      m[1] = rng.int(256); // TOS
    else if (k === 11 && hl + 13 <= m.length) m[hl + 12] = rng.int(16) << 4; // TCP data offset
  }
  return m;
}

interface Params {
  readonly ttl: number | undefined;
  readonly trusted: boolean;
  readonly id: number | undefined;
  readonly src: number | undefined;
  readonly mtu: number | undefined;
  readonly code: number;
  readonly type: number;
  readonly info: number | undefined;
}

function params(rng: Rng): Params {
  const maybe = <T>(p: number, f: () => T): T | undefined => (rng.chance(p) ? f() : undefined);
  return {
    ttl: maybe(0.7, () => (rng.chance(0.9) ? rng.int(256) : rng.int(0x10000))),
    trusted: rng.chance(0.2),
    id: maybe(0.85, () => (rng.chance(0.95) ? rng.int(0x10000) : rng.u32())),
    src: maybe(0.5, () => (rng.chance(0.1) ? 0 : rng.u32())),
    mtu: maybe(0.8, () =>
      rng.chance(0.7)
        ? rng.pick([1500, 576, 577, 575, 1280, 68, 300, 9000, 28, 29, 65535])
        : 28 + rng.int(2000),
    ),
    code: rng.chance(0.8) ? rng.pick([0, 1, 2, 3, 9, 10, 13]) : rng.int(256),
    type: rng.chance(0.8) ? rng.pick([3, 11, 12, 4, 5]) : rng.int(256),
    info: maybe(0.5, () => (rng.chance(0.5) ? rng.pick([0, 576, 1280, 1400, 1492]) : rng.u32())),
  };
}

interface Tally {
  cases: number;
  replies: number;
  none: number;
  byBuilder: Record<string, { cases: number; replies: number }>;
  mismatches: number;
  reports: string[];
}

class Harness {
  private readonly x: RejectExports;
  private readonly pkt: number;
  private readonly out: number;

  constructor(readonly tally: Tally) {
    this.x = instantiateClassifier('release') as unknown as RejectExports;
    this.pkt = this.x.alloc(MAX_DATAGRAM + 64) >>> 0;
    this.out = this.x.alloc(MAX_DATAGRAM + 64) >>> 0;
  }

  private mem(): Uint8Array {
    return new Uint8Array(this.x.memory.buffer);
  }

  private compare(name: string, d: Uint8Array, p: Params, ts: Uint8Array | null, len: number): void {
    const t = this.tally;
    t.cases++;
    const b = t.byBuilder[name] ?? { cases: 0, replies: 0 };
    t.byBuilder[name] = b;
    b.cases++;
    const wasm = len === 0 ? null : this.mem().slice(this.out, this.out + len);
    if (ts) {
      t.replies++;
      b.replies++;
    } else t.none++;
    const same = ts === null ? wasm === null : wasm !== null && hex(ts) === hex(wasm);
    if (same) return;
    t.mismatches++;
    if (t.reports.length < 8)
      t.reports.push(
        `${name} params ${JSON.stringify(p)}\n in   ${hex(d)}\n ts   ${ts ? hex(ts) : 'none'}\n wasm ${wasm ? hex(wasm) : 'none'}`,
      );
  }

  /** All four builders on datagram `d` with parameters `p`. */
  run(d: Uint8Array, p: Params): void {
    const x = this.x;
    this.mem().set(d, this.pkt);
    // Stale bytes past the datagram must not matter.
    this.mem().fill(0xee, this.pkt + d.length, this.pkt + d.length + 64);
    const pk = (r: RejectResult): Uint8Array | null => ('packet' in r ? r.packet : null);
    const trusted = p.trusted ? 1 : 0;
    const ttl = p.ttl ?? 64;

    const rst = pk(
      rejectTcpReset4(d, 0, { checksumTrusted: p.trusted, ...(p.ttl !== undefined ? { ttl } : {}) }),
    );
    this.compare('rejectTcpReset4', d, p, rst, x.rejectTcpReset4(this.pkt, d.length, ttl, trusted, this.out));

    const mtu = p.mtu ?? 1500;
    const unreach = pk(
      rejectIcmpUnreach4(d, 0, p.code, {
        checksumTrusted: p.trusted,
        ...(p.ttl !== undefined ? { ttl } : {}),
        ...(p.id !== undefined ? { id: p.id } : {}),
        ...(p.src !== undefined ? { src: p.src } : {}),
        ...(p.mtu !== undefined ? { mtu } : {}),
      }),
    );
    const ulen = x.rejectIcmpUnreach4(
      this.pkt,
      d.length,
      p.code,
      p.id ?? 0,
      p.src ?? 0,
      p.src !== undefined ? 1 : 0,
      mtu,
      ttl,
      trusted,
      this.out,
    );
    this.compare('rejectIcmpUnreach4', d, p, unreach, ulen);

    const src = p.src ?? 0x0a000001;
    const id = p.id ?? 0;
    const err = pk(
      icmpError4(d, p.type, p.code, { src, id, mtu, ttl, ...(p.info !== undefined ? { info: p.info } : {}) }),
    );
    const elen = x.icmpError4(this.pkt, d.length, p.type, p.code, p.info ?? 0, src, id, mtu, ttl, this.out);
    this.compare('icmpError4', d, p, err, elen);

    const echo = icmpEchoReply4(d, { id, ttl });
    this.compare('icmpEchoReply4', d, p, echo, x.icmpEchoReply4(this.pkt, d.length, id, ttl, this.out));
  }
}

function newTally(): Tally {
  return { cases: 0, replies: 0, none: 0, byBuilder: {}, mismatches: 0, reports: [] };
}

function summary(label: string, t: Tally): string {
  const per = Object.entries(t.byBuilder)
    .map(([k, v]) => `${k} ${v.cases} (${v.replies} replies)`)
    .join(', ');
  return `${label}: ${t.cases} comparisons, ${t.replies} replies, ${t.none} no reply; ${per}; ${t.mismatches} mismatches`;
}

function check(label: string, t: Tally): void {
  console.log(summary(label, t));
  if (t.reports.length > 0) console.log(t.reports.join('\n'));
  expect(t.mismatches).toBe(0);
}

describe('the host packet builders in WebAssembly agree with the TypeScript ones', () => {
  const rng = new Rng(20240611);
  const mutations = LONG ? 40 : 4;

  it('on hand-made edge cases and their mutations', () => {
    const t = newTally();
    const h = new Harness(t);
    for (const d of edgeCases()) {
      for (let k = 0; k < 8; k++) h.run(d, params(rng));
      for (let k = 0; k < mutations * 4; k++) h.run(mutate(rng, d), params(rng));
    }
    check('reject differential, edge cases', t);
    expect(t.cases).toBeGreaterThan(5_000);
  });

  it('on generated traces and their mutations', () => {
    const t = newTally();
    const h = new Harness(t);
    for (const seed of [1, 2, 3]) {
      for (const d of generated(seed, 4000)) {
        h.run(d, params(rng));
        for (let k = 0; k < mutations / 2; k++) h.run(mutate(rng, d), params(rng));
      }
    }
    check('reject differential, generated', t);
    expect(t.cases).toBeGreaterThan(50_000);
    expect(t.replies).toBeGreaterThan(t.cases / 4);
  });

  const captured = corpus();
  it.skipIf(captured.length === 0)('on the capture corpus and its mutations', () => {
    const t = newTally();
    const h = new Harness(t);
    for (const d of captured) {
      h.run(d, params(rng));
      for (let k = 0; k < mutations / 2; k++) h.run(mutate(rng, d), params(rng));
    }
    check(`reject differential, corpus (${captured.length} IPv4 datagrams)`, t);
    expect(t.cases).toBeGreaterThan(0);
  });
});
