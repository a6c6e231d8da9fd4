// Packet rewriting in WebAssembly (assembly/path/rewrite.ts) against the reference engine's
// TypeScript, byte for byte and result for result: natManipIpv4 (src/wire/manip.ts),
// applyRewrite and applyIcmpErrorRewrite (src/engine/reference/rewrite.ts, the WebAssembly
// side taking natPacket's rewrite records, layout.ts W_*) and Ipv4View.decreaseTtl. IPv4
// datagrams from a seeded generated trace, the pcap corpus (when present), hand-built edge
// cases (UDP checksum 0, UDP-Lite, fragments, truncated transport headers, IP options, ICMP
// errors quoting TCP / UDP / ICMP, cut short or malformed) and a seeded mutation loop; random
// addresses, ports, ids and manip sides; every TTL. The WebAssembly copy of a packet sits
// between guard bytes, at a varying alignment, to catch writes outside it.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type IcmpErrorRewrite, type Rewrite, Xoshiro128ss } from '../../src/engine/conntrack/index.js';
import { applyIcmpErrorRewrite, applyRewrite } from '../../src/engine/reference/rewrite.js';
import { instantiateClassifier } from '../../src/engine/wasm/module.js';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { generateTrace } from '../../src/gen/generate-trace.js';
import { writeIcmpEcho, writeIcmpError, writeTcpPacket, writeUdpPacket } from '../../src/gen/ipv4-packets.js';
import { parseTrafficMix } from '../../src/gen/traffic-mix.js';
import { parseHostFile } from '../../src/host/index.js';
import { MemorySink, PcapngWriter, traceFromBytes } from '../../src/trace/index.js';
import { get16, put16 } from '../../src/wire/bytes.js';
import { internetChecksum } from '../../src/wire/checksum.js';
import { Ipv4View } from '../../src/wire/ipv4.js';
import { natManipIpv4 } from '../../src/wire/manip.js';
import { type DecodedL3, type DecodedPacket, decodePacket, isDecodeError } from '../../src/wire/packet.js';
import { CORPUS_PCAPS, filesUnder, readAll } from '../trace/helpers.js';

/** The exports under test (assembly/index.ts); booleans come back as 0 / 1. */
interface RewriteExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  alloc(bytes: number): number;
  natManipIpv4(ip: number, end: number, manip: number, addr: number, port: number): number;
  applyRewriteRecord(ip: number, end: number, rw: number): number;
  applyIcmpErrorRewrite4(ip: number, end: number, inner: number, outer: number): number;
  ipDecreaseTtl(ip: number): number;
}

// Rewrite record (assembly/conntrack/layout.ts): present, manip (0 src, 1 dst), kind (0 none,
// 1 port, 2 ICMP id), value, address words (IPv4: word 0, the address as a number).
const REWRITE_BYTES = 32;
const W_PRESENT = 0;
const W_MANIP = 4;
const W_KIND = 8;
const W_VALUE = 12;
const W_ADDR = 16;

const GUARD = 16;
const GUARD_BYTE = 0xa5;
const MAX_DATAGRAM = 0x10000 + 64;

class Rng {
  private readonly g: Xoshiro128ss;
  constructor(seed: number) {
    this.g = new Xoshiro128ss(seed);
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

// ---- The two sides --------------------------------------------------------------------------

class Harness {
  readonly x: RewriteExports;
  readonly base: number;
  readonly inner: number;
  readonly outer: number;
  readonly mem: Uint8Array;
  readonly view: DataView;
  comparisons = 0;
  readonly counts: Record<string, number> = {};
  readonly mismatches: string[] = [];
  mismatchCount = 0;

  constructor() {
    this.x = instantiateClassifier('release') as unknown as RewriteExports;
    this.base = this.x.alloc(MAX_DATAGRAM + 2 * GUARD + 8) >>> 0;
    this.inner = this.x.alloc(REWRITE_BYTES) >>> 0;
    this.outer = this.x.alloc(REWRITE_BYTES) >>> 0;
    this.mem = new Uint8Array(this.x.memory.buffer);
    this.view = new DataView(this.x.memory.buffer);
  }

  /** Copies `pkt` between guard bytes at alignment `skew`; returns its address. */
  load(pkt: Uint8Array, skew: number): number {
    const at = this.base + GUARD + skew;
    this.mem.fill(GUARD_BYTE, at - GUARD, at);
    this.mem.set(pkt, at);
    this.mem.fill(GUARD_BYTE, at + pkt.length, at + pkt.length + GUARD);
    return at;
  }

  /** natPacket's record for `r` (null: none) at `at`. */
  encode(at: number, r: Rewrite | null): void {
    this.mem.fill(0, at, at + REWRITE_BYTES);
    if (!r) return;
    const v = this.view;
    v.setUint32(at + W_PRESENT, 1, true);
    v.setUint32(at + W_MANIP, r.manip === 'src' ? 0 : 1, true);
    if (r.port !== undefined) {
      v.setUint32(at + W_KIND, 1, true);
      v.setUint32(at + W_VALUE, r.port, true);
    } else if (r.icmpId !== undefined) {
      v.setUint32(at + W_KIND, 2, true);
      v.setUint32(at + W_VALUE, r.icmpId, true);
    }
    for (const [i, a] of r.address.entries()) v.setUint32(at + W_ADDR + 4 * i, a >>> 0, true);
  }

  /** Compares the TypeScript result (`ts`, `tsOk`) with the WebAssembly one at `at`. */
  compare(
    what: string,
    args: string,
    original: Uint8Array,
    ts: Uint8Array,
    tsOk: unknown,
    asOk: unknown,
    at: number,
  ) {
    this.comparisons++;
    this.counts[what] = (this.counts[what] ?? 0) + 1;
    if (tsOk === true) this.counts[`${what} true`] = (this.counts[`${what} true`] ?? 0) + 1;
    const diffs: string[] = [];
    for (let i = 0; i < ts.length; i++) {
      const w = this.mem[at + i]!;
      if (w !== ts[i]) diffs.push(`${i}: ts ${ts[i]!.toString(16)} wasm ${w.toString(16)}`);
    }
    for (let i = 1; i <= GUARD; i++) {
      if (this.mem[at - i] !== GUARD_BYTE) diffs.push(`guard -${i} written`);
      if (this.mem[at + ts.length + i - 1] !== GUARD_BYTE) diffs.push(`guard +${i - 1} past the end written`);
    }
    if (diffs.length === 0 && tsOk === asOk) return;
    this.mismatchCount++;
    if (this.mismatches.length < 20)
      this.mismatches.push(
        `${what}(${args}): result ts ${String(tsOk)} wasm ${String(asOk)}; differing offsets ` +
          `[${diffs.slice(0, 16).join(', ')}]\n  packet ${hex(original)}\n  ts     ${hex(ts)}`,
      );
  }
}

// ---- Random arguments -----------------------------------------------------------------------

const ADDRS = [0x0a000001, 0xc0a80101, 0xac110002, 0xcb007101, 0, 0xffffffff, 0x7f000001];

function randomAddr(rng: Rng, pkt: Uint8Array): number {
  switch (rng.int(4)) {
    case 0:
      return rng.u32();
    case 1:
      return rng.pick(ADDRS);
    case 2: // unchanged, or the other side's
      return pkt.length >= 20 ? new Ipv4View(pkt, 0, pkt.length)[rng.chance(0.5) ? 'src' : 'dst'] : 0;
    default:
      return (rng.pick(ADDRS) + rng.int(7) - 3) >>> 0;
  }
}

function randomPort(rng: Rng, current: number | null): number {
  switch (rng.int(5)) {
    case 0:
      return rng.pick([0, 1, 0xffff, 0x8000, 80, 53, 1024]);
    case 1:
      return current ?? 0;
    case 2:
      return ((current ?? 0) + rng.int(5) - 2) & 0xffff;
    default:
      return rng.int(0x10000);
  }
}

function randomRewrite(
  rng: Rng,
  pkt: Uint8Array,
  d: DecodedL3 | null,
  manip = rng.pick(['src', 'dst'] as const),
) {
  const address = [randomAddr(rng, pkt)];
  const current = d ? (d.icmpId ?? (manip === 'src' ? d.srcPort : d.dstPort)) : null;
  switch (rng.int(4)) {
    case 0:
      return { manip, address } satisfies Rewrite;
    case 1:
      return { manip, address, icmpId: randomPort(rng, current) } satisfies Rewrite;
    default:
      return { manip, address, port: randomPort(rng, current) } satisfies Rewrite;
  }
}

/** An ICMP error's rewrites: mostly as natIcmpReplyTranslation makes them, sometimes anything. */
function randomIcmpErrorRewrite(rng: Rng, pkt: Uint8Array, d: DecodedPacket): IcmpErrorRewrite {
  const manip = rng.pick(['src', 'dst'] as const);
  const quoted = d.inner ? pkt.subarray(d.inner.l3Offset) : pkt;
  const realistic = rng.chance(0.8);
  const inner = randomRewrite(rng, quoted, d.inner, realistic ? (manip === 'src' ? 'dst' : 'src') : manip);
  const outer: Rewrite = realistic
    ? { manip, address: [randomAddr(rng, pkt)] }
    : randomRewrite(rng, pkt, d, manip);
  return { inner, outer, recomputeIcmpChecksum: true };
}

// ---- Comparisons ----------------------------------------------------------------------------

function decode4(pkt: Uint8Array): DecodedPacket | null {
  const d = decodePacket(pkt, 'raw-ipv4');
  return isDecodeError(d) || d.family !== 'ipv4' ? null : d;
}

function compareManip(h: Harness, rng: Rng, pkt: Uint8Array): void {
  const end = rng.chance(0.8) ? pkt.length : rng.int(pkt.length + 1);
  const manip = rng.pick(['src', 'dst'] as const);
  const addr = randomAddr(rng, pkt);
  const port = rng.chance(0.03) ? rng.u32() : randomPort(rng, pkt.length >= 24 ? get16(pkt, 20) : null);
  const ts = pkt.slice();
  const tsOk = natManipIpv4(ts, 0, end, manip, addr, port);
  const at = h.load(pkt, rng.int(4));
  const asOk = h.x.natManipIpv4(at, at + end, manip === 'src' ? 0 : 1, addr, port) !== 0;
  h.compare('natManipIpv4', `end ${end}, ${manip}, ${addr.toString(16)}, ${port}`, pkt, ts, tsOk, asOk, at);
}

function compareRewrite(h: Harness, rng: Rng, pkt: Uint8Array, d: DecodedPacket): void {
  const end = rng.chance(0.9) ? pkt.length : rng.int(pkt.length + 1);
  const r = randomRewrite(rng, pkt, d);
  const ts = pkt.slice();
  const tsOk = applyRewrite(ts, 0, end, d, r);
  const at = h.load(pkt, rng.int(4));
  h.encode(h.inner, r);
  const asOk = h.x.applyRewriteRecord(at, at + end, h.inner) !== 0;
  h.compare('applyRewriteRecord', `end ${end}, ${JSON.stringify(r)}`, pkt, ts, tsOk, asOk, at);
}

function compareIcmpError(h: Harness, rng: Rng, pkt: Uint8Array, d: DecodedPacket): void {
  const r = randomIcmpErrorRewrite(rng, pkt, d);
  const ts = pkt.slice();
  const tsOk = applyIcmpErrorRewrite(ts, d, r);
  const at = h.load(pkt, rng.int(4));
  h.encode(h.inner, r.inner);
  h.encode(h.outer, r.outer);
  const asOk = h.x.applyIcmpErrorRewrite4(at, at + pkt.length, h.inner, h.outer) !== 0;
  h.compare(
    'applyIcmpErrorRewrite4',
    JSON.stringify({ inner: r.inner, outer: r.outer }),
    pkt,
    ts,
    tsOk,
    asOk,
    at,
  );
}

function compareTtl(h: Harness, rng: Rng, pkt: Uint8Array): void {
  if (pkt.length < 20) return;
  const ts = pkt.slice();
  const tsTtl = new Ipv4View(ts, 0, ts.length).decreaseTtl();
  const at = h.load(pkt, rng.int(4));
  const asTtl = h.x.ipDecreaseTtl(at);
  h.compare('ipDecreaseTtl', `ttl ${pkt[8]} check ${get16(pkt, 10).toString(16)}`, pkt, ts, tsTtl, asTtl, at);
}

/** Every function on `pkt` (the record-based ones when the reference decoder accepts it). */
function compareAll(h: Harness, rng: Rng, pkt: Uint8Array): void {
  compareManip(h, rng, pkt);
  compareTtl(h, rng, pkt);
  const d = decode4(pkt);
  if (!d) return;
  compareRewrite(h, rng, pkt, d);
  if (d.icmpType !== null || rng.chance(0.1)) compareIcmpError(h, rng, pkt, d);
}

// ---- Packets --------------------------------------------------------------------------------

/** The IPv4 datagram of a captured frame (raw, Ethernet with VLAN tags, Linux cooked v1 / v2). */
function ipv4Datagram(data: Uint8Array, linkType: number): Uint8Array | null {
  let off: number;
  let etherType: number;
  switch (linkType) {
    case 1:
      off = 14;
      etherType = get16(data, 12);
      while ((etherType === 0x8100 || etherType === 0x88a8) && data.length >= off + 4) {
        etherType = get16(data, off + 2);
        off += 4;
      }
      break;
    case 113:
      off = 16;
      etherType = get16(data, 14);
      break;
    case 276:
      off = 20;
      etherType = get16(data, 0);
      break;
    case 101:
    case 228:
      off = 0;
      etherType = data[0]! >>> 4 === 4 ? 0x0800 : 0;
      break;
    default:
      return null;
  }
  if (etherType !== 0x0800 || data.length <= off) return null;
  return data.slice(off);
}

/** Also the datagram cut to its tot_len when the frame carries trailing bytes. */
function addDatagram(pool: Uint8Array[], dgram: Uint8Array | null): void {
  if (!dgram) return;
  pool.push(dgram);
  const d = decode4(dgram);
  if (d && d.ipLength < dgram.length) pool.push(dgram.slice(0, d.ipLength));
}

function generatedDatagrams(): Uint8Array[] {
  const rules = 'examples/docker-host/rules.v4';
  const ruleset = loadRuleset(readFileSync(rules, 'utf8'), { file: rules }).ruleset;
  const host = parseHostFile(readFileSync('examples/docker-host/host.json', 'utf8'), { file: 'host.json' });
  const sink = new MemorySink();
  const writer = new PcapngWriter(sink);
  generateTrace(writer, {
    ruleset,
    host,
    packets: 4000,
    flows: 300,
    seed: 0x5eed,
    mix: parseTrafficMix('tcp=45,udp=25,icmp=20,invalid=10'),
  });
  writer.flush();
  const pool: Uint8Array[] = [];
  for (const p of traceFromBytes(sink.bytes()).packetsSync())
    addDatagram(pool, ipv4Datagram(p.data, p.linkType));
  return pool;
}

function corpusDatagrams(): Uint8Array[] {
  const pool: Uint8Array[] = [];
  const files = filesUnder(CORPUS_PCAPS).filter((f) => {
    const head = readFileSync(f).subarray(0, 4).toString('hex');
    return ['d4c3b2a1', 'a1b2c3d4', '4d3cb2a1', 'a1b23c4d', '0a0d0d0a'].includes(head);
  });
  for (const f of files) {
    let packets: ReturnType<typeof readAll>['packets'];
    try {
      packets = readAll(f).packets;
    } catch {
      continue;
    }
    for (const p of packets) addDatagram(pool, ipv4Datagram(p.data, p.linkType));
  }
  return pool;
}

const CLIENT = 0x0a000002;
const SERVER = 0xc0000201;

function fixIpChecksum(b: Uint8Array): Uint8Array {
  new Ipv4View(b, 0, b.length).updateChecksum();
  return b;
}

/** `b` with `n` bytes of options (NOPs, then EOL) after the 20-byte header. */
function withOptions(b: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(b.length + n);
  out.set(b.subarray(0, 20));
  out.fill(1, 20, 20 + n - 1);
  out[20 + n - 1] = 0;
  out.set(b.subarray(20), 20 + n);
  out[0] = 0x40 | ((20 + n) >>> 2);
  put16(out, 2, get16(b, 2) + n);
  return fixIpChecksum(out);
}

function refreshIcmpChecksum(b: Uint8Array, l4: number): Uint8Array {
  put16(b, l4 + 2, 0);
  put16(b, l4 + 2, internetChecksum(b, l4, b.length));
  return b;
}

function handBuilt(rng: Rng): Uint8Array[] {
  const pool: Uint8Array[] = [];
  const buf = new Uint8Array(2048);
  const ip = (src = CLIENT, dst = SERVER) => ({ src, dst, id: rng.int(0x10000), ttl: rng.int(256) });
  const tcp = (flags: number, payload: number) =>
    buf.slice(
      0,
      writeTcpPacket(buf, 0, ip(), {
        sport: 40000 + rng.int(1000),
        dport: 80,
        seq: rng.u32(),
        ack: rng.u32(),
        flags,
        payload,
      }),
    );
  const udp = (payload: number) =>
    buf.slice(0, writeUdpPacket(buf, 0, ip(), { sport: 30000 + rng.int(1000), dport: 53, payload }));
  const echo = (type: number, payload: number) =>
    buf.slice(0, writeIcmpEcho(buf, 0, ip(), { type, id: rng.int(0x10000), seq: rng.int(0x10000), payload }));

  const transports: Uint8Array[] = [];
  for (let i = 0; i < 8; i++) {
    transports.push(
      tcp(0x02, 0),
      tcp(0x10, rng.int(200)),
      udp(rng.int(100)),
      echo(rng.pick([0, 8]), rng.int(64)),
    );
    for (const t of [13, 14, 15, 16, 17, 18]) transports.push(echo(t, 12));
    // UDP without a checksum, and one whose checksum is 0xffff.
    const u0 = udp(rng.int(40));
    put16(u0, 26, 0);
    const uf = udp(4);
    put16(uf, 26, 0xffff);
    // UDP-Lite, an ICMPv6 echo over IPv4, GRE and an unknown protocol: same bytes, other numbers.
    const lite = udp(8);
    lite[9] = 136;
    const v6echo = echo(8, 8);
    v6echo[9] = 58;
    v6echo[20] = rng.pick([128, 129, 1]);
    const gre = udp(8);
    gre[9] = 47;
    const other = udp(8);
    other[9] = 253;
    transports.push(
      u0,
      uf,
      fixIpChecksum(lite),
      fixIpChecksum(v6echo),
      fixIpChecksum(gre),
      fixIpChecksum(other),
    );
  }
  pool.push(...transports);
  for (const t of transports.slice(0, 40)) pool.push(withOptions(t, 4 * (1 + rng.int(10))));

  // Fragments: a first one (MF) whole or holding only part of the transport header, later ones.
  for (const t of transports.slice(0, 30)) {
    const first = t.slice();
    put16(first, 6, 0x2000);
    pool.push(fixIpChecksum(first));
    for (const cut of [28, 24, 32, 39]) {
      if (cut >= t.length) continue;
      const part = first.slice(0, cut);
      put16(part, 2, cut);
      pool.push(fixIpChecksum(part));
    }
    const later = t.slice();
    put16(later, 6, rng.chance(0.5) ? 185 : 0x2000 | 1);
    pool.push(fixIpChecksum(later));
  }
  // Truncated transport headers (not fragments): tot_len and capture both short.
  for (const t of transports.slice(0, 30)) {
    for (const cut of [20, 21, 24, 27, 28, 30, 36, 39]) {
      if (cut >= t.length) continue;
      const part = t.slice(0, cut);
      put16(part, 2, cut);
      pool.push(fixIpChecksum(part));
    }
  }

  // ICMP errors quoting TCP / UDP / ICMP: 8 transport bytes, more, all, fewer; the quoted header
  // with options, cut short, as a fragment, malformed; the rest-of-header field in use.
  const quotes: Uint8Array[] = [];
  for (const t of transports) {
    quotes.push(t.slice(0, 28), t.slice(0, Math.min(t.length, 48)), t.slice());
    quotes.push(t.slice(0, 20 + rng.int(8)), t.slice(0, 20), t.slice(0, 10 + rng.int(10)));
    const opt = withOptions(t, 8);
    quotes.push(opt.slice(0, 36));
    const shortTot = t.slice(0, 28);
    put16(shortTot, 2, 20 + rng.int(8)); // tot_len below the 8 transport bytes quoted
    quotes.push(shortTot);
    const later = t.slice(0, 28);
    put16(later, 6, 100);
    quotes.push(later);
    const firstFrag = t.slice(0, 28);
    put16(firstFrag, 6, 0x2000);
    quotes.push(firstFrag);
    const badVersion = t.slice(0, 28);
    badVersion[0] = 0x65;
    quotes.push(badVersion);
    const badIhl = t.slice(0, 28);
    badIhl[0] = 0x40 | rng.int(5);
    quotes.push(badIhl);
    const bigIhl = t.slice(0, 28);
    bigIhl[0] = 0x4f;
    quotes.push(bigIhl);
    const tinyTot = t.slice(0, 28);
    put16(tinyTot, 2, rng.int(20));
    quotes.push(tinyTot);
  }
  for (const quote of quotes) {
    const type = rng.pick([3, 3, 3, 4, 5, 11, 12, 19, 40]);
    const code = type === 3 ? rng.pick([0, 1, 3, 4, 13]) : rng.int(2);
    const e = buf.slice(0, writeIcmpError(buf, 0, ip(SERVER, CLIENT), { type, code, quote }));
    if (type === 3 && code === 4) put16(e, 26, 1400); // next-hop MTU
    if (type === 12) e[24] = rng.int(28); // pointer
    if (type === 5) e.set([192, 0, 2, 99], 24); // gateway
    if (rng.chance(0.2)) e[25] = rng.int(32); // RFC 4884 length
    pool.push(refreshIcmpChecksum(e, 20));
    if (rng.chance(0.2)) pool.push(withOptions(e, 4));
  }
  // An error quoting an error.
  for (let i = 0; i < 20; i++) {
    const inner = buf.slice(
      0,
      writeIcmpError(buf, 0, ip(), { type: 3, code: 3, quote: rng.pick(transports).slice(0, 28) }),
    );
    pool.push(
      buf.slice(
        0,
        writeIcmpError(buf, 0, ip(SERVER, CLIENT), { type: 11, code: 0, quote: inner.slice(0, 28) }),
      ),
    );
  }
  return pool;
}

function mutate(rng: Rng, src: Uint8Array): Uint8Array {
  let b = src.slice();
  const n = 1 + rng.int(3);
  for (let k = 0; k < n && b.length > 0; k++) {
    switch (rng.int(10)) {
      case 0:
        b[rng.int(b.length)] = rng.int(256);
        break;
      case 1:
        b[0] = (b[0]! & 0xf0) | rng.int(16);
        break;
      case 2:
        if (b.length > 9) b[9] = rng.pick([1, 6, 17, 136, 58, 47, rng.int(256)]);
        break;
      case 3:
        if (b.length > 7)
          put16(b, 6, rng.pick([0, 0x4000, 0x2000, 0x2000 | rng.int(0x2000), rng.int(0x10000)]));
        break;
      case 4:
        if (b.length > 3) put16(b, 2, Math.max(0, b.length + rng.int(9) - 6));
        break;
      case 5:
        b = b.slice(0, rng.int(b.length + 1));
        break;
      case 6: // inside a quoted header or the transport header
        if (b.length > 28) b[28 + rng.int(b.length - 28)] = rng.int(256);
        break;
      case 7:
        if (b.length > 20) b[20] = rng.pick([0, 3, 5, 8, 11, 12, 13, 14, 17, 18, 19, 128, rng.int(256)]);
        break;
      case 8:
        if (b.length > 27) put16(b, 26, 0);
        break;
      default:
        if (b.length > 10) {
          b[8] = rng.int(256);
          put16(b, 10, rng.int(0x10000));
        }
    }
  }
  // Often a header the decoder accepts, so that the record-based rewrites are compared too.
  if (rng.chance(0.5) && b.length >= 20) {
    b[0] = 0x40 | Math.max(5, b[0]! & 0x0f);
    if ((b[0]! & 0x0f) * 4 <= b.length) {
      put16(b, 2, Math.max((b[0]! & 0x0f) * 4, Math.min(get16(b, 2), b.length)));
      fixIpChecksum(b);
    }
  }
  return b;
}

// ---- The test -------------------------------------------------------------------------------

describe('WebAssembly packet rewriting against the reference engine', () => {
  it('rewrites IPv4 datagrams to the same bytes with the same results', () => {
    const h = new Harness();
    const rng = new Rng(0x2e3a11);
    const generated = generatedDatagrams();
    const corpus = corpusDatagrams();
    if (corpus.length === 0) console.warn('rewrite differential: no pcap corpus at', CORPUS_PCAPS);
    const built = handBuilt(rng);
    const pool = [...generated, ...corpus, ...built];
    expect(generated.length).toBeGreaterThan(1000);

    for (const pkt of pool) {
      if (pkt.length > MAX_DATAGRAM) continue;
      compareAll(h, rng, pkt);
    }
    // More passes over the ICMP errors and the edge cases.
    for (let pass = 0; pass < 4; pass++) for (const pkt of built) compareAll(h, rng, pkt);

    // Every TTL with checksums around the carry.
    const ttlBase = pool[0]!.slice(0, 20);
    for (let ttl = 0; ttl < 256; ttl++) {
      for (const check of [0, 1, 0xff, 0x100, 0xfe00, 0xfeff, 0xff00, 0xfffe, 0xffff, 0x7fff, 0x80ff]) {
        ttlBase[8] = ttl;
        put16(ttlBase, 10, check);
        compareTtl(h, rng, ttlBase);
      }
      for (let i = 0; i < 24; i++) {
        ttlBase[8] = ttl;
        put16(ttlBase, 10, rng.int(0x10000));
        compareTtl(h, rng, ttlBase);
      }
    }

    // The seeded mutation loop.
    for (let i = 0; i < 20000; i++) compareAll(h, rng, mutate(rng, rng.pick(pool)));

    // A record marked absent (natPacket's "no rewrite") leaves the packet alone.
    for (const pkt of built.slice(0, 50)) {
      h.encode(h.inner, null);
      const at = h.load(pkt, 0);
      h.compare(
        'applyRewriteRecord (absent)',
        '',
        pkt,
        pkt,
        true,
        h.x.applyRewriteRecord(at, at + pkt.length, h.inner) !== 0,
        at,
      );
    }

    console.log(
      `rewrite differential: ${h.comparisons} comparisons (${JSON.stringify(h.counts)}), packets: ` +
        `${generated.length} generated, ${corpus.length} corpus, ${built.length} hand-built; ${h.mismatchCount} mismatches`,
    );
    if (h.mismatches.length > 0) console.error(h.mismatches.join('\n'));
    expect(h.mismatchCount).toBe(0);
    expect(h.comparisons).toBeGreaterThanOrEqual(50_000);
  }, 60_000);
});
