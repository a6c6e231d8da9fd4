// ctPacketFromIpv4 (assembly/path/ct-packet.ts) against the host side it replaces: for IPv4
// datagrams from the pcap corpus, the seeded generator, hand-made edge cases and a seeded
// mutation loop, the 160-byte packet record the WebAssembly function writes must equal what
// encodePacket writes for ctPacketOf(decodePacket(...)), at every hook and with the checksum
// check on and off. Datagrams decodePacket rejects in the transport header have no JavaScript
// counterpart; they are checked against the record the function documents for them.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CtPacket } from '../../src/engine/conntrack/index.js';
import { Xoshiro128ss } from '../../src/engine/conntrack/index.js';
import { ctPacketOf, transportChecksumValid } from '../../src/engine/reference/ct-packet.js';
import { encodePacket } from '../../src/engine/wasm/conntrack.js';
import { instantiateClassifier } from '../../src/engine/wasm/module.js';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { generateTrace } from '../../src/gen/index.js';
import { parseTrafficMix } from '../../src/gen/traffic-mix.js';
import { parseHostFile } from '../../src/host/index.js';
import type { Hook } from '../../src/ir/ruleset.js';
import {
  MemorySink,
  openTrace,
  PcapngWriter,
  type TracePacket,
  traceFromBytes,
} from '../../src/trace/index.js';
import { put16, put32 } from '../../src/wire/bytes.js';
import { internetChecksum, ipv4PseudoSum } from '../../src/wire/checksum.js';
import { type DecodedL3, decodePacket, isDecodeError, type LinkType } from '../../src/wire/packet.js';
import { CORPUS_PCAPS, filesUnder } from '../trace/helpers.js';

interface CtPacketExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  alloc(bytes: number): number;
  ctPacketFromIpv4(
    ip: number,
    len: number,
    hook: number,
    checksum: number,
    zone: number,
    now: bigint,
    out: number,
  ): number;
}

const PKT_BYTES = 160;
/** HOOK_* of assembly/conntrack/layout.ts. */
const HOOKS: readonly (readonly [Hook, number])[] = [
  ['prerouting', 0],
  ['input', 1],
  ['forward', 2],
  ['output', 3],
  ['postrouting', 4],
];
const TCP = 6;
const UDP = 17;
const UDPLITE = 136;
const ICMP = 1;
const ICMPV6 = 58;
const MAX_DATAGRAM = 65535;
const PF_TCP = 32;
const QF_PRESENT = 1;
/** PF_* and QF_* of assembly/conntrack/layout.ts, for the coverage tally. */
const PF_NAMES = [
  ['unparsable', 2],
  ['bad checksum', 4],
  ['bad udp length', 8],
  ['ports', 16],
  ['tcp', PF_TCP],
  ['icmp', 64],
  ['prerouting', 128],
  ['tcp options', 256],
  ['sack perm', 512],
  ['wscale', 1024],
] as const;
const QF_NAMES = [
  ['quoted', QF_PRESENT],
  ['quoted unparsable', 2],
  ['quoted ports', 4],
  ['quoted icmp', 8],
] as const;
// Bytes after the datagram the function must not read (they hold garbage in the test).
const GUARD = 128;

class Rng {
  private readonly x: Xoshiro128ss;
  constructor(seed: number) {
    this.x = new Xoshiro128ss(seed);
  }
  u32(): number {
    return this.x.nextU32();
  }
  int(n: number): number {
    return this.x.nextU32() % n;
  }
  chance(p: number): boolean {
    return this.x.nextU32() / 0x1_0000_0000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Building datagrams.

interface Ipv4Spec {
  readonly protocol: number;
  readonly src?: number;
  readonly dst?: number;
  readonly fragField?: number;
  readonly id?: number;
  /** IP option bytes (padded to 4 here). */
  readonly options?: readonly number[];
}

const SRC = 0xc6336407; // 198.51.100.7
const DST = 0xcb007101; // 203.0.113.1

/** An IPv4 datagram around `payload`, header checksum right. */
function ipv4(spec: Ipv4Spec, payload: Uint8Array): Uint8Array {
  const opts = [...(spec.options ?? [])];
  while (opts.length % 4) opts.push(0);
  const hl = 20 + opts.length;
  const b = new Uint8Array(hl + payload.length);
  b[0] = 0x40 | (hl >>> 2);
  put16(b, 2, b.length);
  put16(b, 4, spec.id ?? 0x1234);
  put16(b, 6, spec.fragField ?? 0x4000);
  b[8] = 64;
  b[9] = spec.protocol;
  put32(b, 12, spec.src ?? SRC);
  put32(b, 16, spec.dst ?? DST);
  b.set(opts, 20);
  b.set(payload, hl);
  fixIpChecksum(b);
  return b;
}

function flip(b: Uint8Array, at: number, bits: number): void {
  b[at] = b[at]! ^ bits;
}

function fixIpChecksum(b: Uint8Array): void {
  const hl = (b[0]! & 15) * 4;
  put16(b, 10, 0);
  put16(b, 10, internetChecksum(b, 0, hl));
}

/** Recomputes the transport checksum of a whole datagram (no-op for others). */
function fixL4Checksum(b: Uint8Array): void {
  const hl = (b[0]! & 15) * 4;
  const p = b[9]!;
  const field = p === TCP ? 16 : p === UDP || p === UDPLITE ? 6 : p === ICMP || p === ICMPV6 ? 2 : -1;
  if (field < 0 || b.length < hl + field + 2) return;
  put16(b, hl + field, 0);
  const src = ((b[12]! << 24) | (b[13]! << 16) | (b[14]! << 8) | b[15]!) >>> 0;
  const dst = ((b[16]! << 24) | (b[17]! << 16) | (b[18]! << 8) | b[19]!) >>> 0;
  const pseudo = p === ICMP ? 0 : ipv4PseudoSum(src, dst, p, b.length - hl);
  let c = internetChecksum(b, hl, b.length, pseudo);
  if (p === UDP && c === 0) c = 0xffff;
  put16(b, hl + field, c);
}

function tcpSegment(o: {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  options?: readonly number[];
  payload?: number;
  /** Data offset in words, overriding the one the options give. */
  doff?: number;
}): Uint8Array {
  const opts = [...(o.options ?? [])];
  while (opts.length % 4) opts.push(0);
  const hl = 20 + opts.length;
  const b = new Uint8Array(hl + (o.payload ?? 0));
  put16(b, 0, o.sport ?? 40000);
  put16(b, 2, o.dport ?? 80);
  put32(b, 4, o.seq ?? 0x11223344);
  put32(b, 8, o.ack ?? 0x55667788);
  b[12] = (o.doff ?? hl >>> 2) << 4;
  b[13] = o.flags ?? 0x18;
  put16(b, 14, o.window ?? 29200);
  b.set(opts, 20);
  for (let i = hl; i < b.length; i++) b[i] = i & 0xff;
  return b;
}

function udpDatagram(sport: number, dport: number, payload: number, length?: number): Uint8Array {
  const b = new Uint8Array(8 + payload);
  put16(b, 0, sport);
  put16(b, 2, dport);
  put16(b, 4, length ?? b.length);
  for (let i = 8; i < b.length; i++) b[i] = (i * 7) & 0xff;
  return b;
}

function icmpMessage(
  type: number,
  code: number,
  rest: number,
  body: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const b = new Uint8Array(8 + body.length);
  b[0] = type;
  b[1] = code;
  put32(b, 4, rest);
  b.set(body, 8);
  return b;
}

/** A whole datagram with right checksums. */
function datagram(spec: Ipv4Spec, payload: Uint8Array): Uint8Array {
  const b = ipv4(spec, payload);
  fixL4Checksum(b);
  return b;
}

/** An ICMP error quoting the first `quoteLength` bytes of `inner` (sent back to its source). */
function icmpError(
  type: number,
  code: number,
  inner: Uint8Array,
  quoteLength: number,
  protocol = ICMP,
): Uint8Array {
  const q = inner.subarray(0, Math.min(quoteLength, inner.length));
  return datagram({ protocol, src: DST, dst: SRC }, icmpMessage(type, code, 0, q));
}

function opt(kind: number, ...data: number[]): number[] {
  return [kind, data.length + 2, ...data];
}

function handMade(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const syn = (options: readonly number[], extra: object = {}): Uint8Array =>
    datagram({ protocol: TCP }, tcpSegment({ flags: 0x02, options, ...extra }));
  // TCP: every option kind, well and badly formed.
  const edges = (n: number): number[] => {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) xs.push(0, 0, i, 1, 0x80 + i, 0, i, 2);
    return xs;
  };
  const optionSets: number[][] = [
    [],
    opt(2, 0x05, 0xb4),
    [...opt(2, 0x05, 0xb4), 1, ...opt(3, 7), ...opt(4), ...opt(8, 0, 0, 0, 1, 0, 0, 0, 0)],
    [1, 1, 1, ...opt(3, 14)],
    [...opt(3, 200), ...opt(3, 2)],
    opt(3, 7, 7),
    [3, 2, 7],
    opt(4, 1),
    [...opt(4), ...opt(4)],
    opt(5, ...edges(1)),
    opt(5, ...edges(2)),
    opt(5, ...edges(3)),
    opt(5, ...edges(4)),
    [1, 1, ...opt(5, ...edges(4)).slice(0, 36)],
    [...opt(5, ...edges(1)), ...opt(5, ...edges(2))],
    opt(5, 1, 2, 3, 4, 5, 6, 7),
    opt(5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
    [0, ...opt(3, 5)],
    [1, 0, ...opt(3, 5)],
    [3, 0, 7, 0],
    [3, 1, 7, 0],
    [5, 40, 0, 0],
    [...opt(3, 5), 5, 200],
    opt(254, 0xf9, 0x89, 1, 2),
    [...opt(19, ...new Array<number>(16).fill(9)), ...opt(3, 9)],
    new Array<number>(40).fill(1),
    [...new Array<number>(37).fill(1), ...opt(3, 4)],
  ];
  for (const o of optionSets) {
    out.push(syn(o));
    out.push(datagram({ protocol: TCP }, tcpSegment({ flags: 0x10, options: o, payload: 100 })));
  }
  // Data offsets that disagree with the segment: too small, beyond it, options cut short.
  for (const doff of [0, 1, 4, 5, 6, 10, 15]) {
    out.push(datagram({ protocol: TCP }, tcpSegment({ doff, options: opt(3, 5), payload: 3 })));
    out.push(datagram({ protocol: TCP }, tcpSegment({ doff, options: opt(3, 5) })));
  }
  // Every flag byte, odd payload lengths, bad checksums.
  for (let f = 0; f < 256; f += 7)
    out.push(datagram({ protocol: TCP }, tcpSegment({ flags: f, payload: f % 5 })));
  const bad = datagram({ protocol: TCP }, tcpSegment({ payload: 11 }));
  flip(bad, bad.length - 1, 0x40);
  out.push(bad);
  // Truncated transport headers (decodePacket rejects these outside first fragments).
  const fullTcp = tcpSegment({ options: opt(3, 5) });
  const fullUdp = udpDatagram(5353, 53, 20);
  const fullIcmp = icmpMessage(8, 0, 0x00070001, new Uint8Array(12));
  for (let n = 0; n <= 24; n++) {
    out.push(datagram({ protocol: TCP }, fullTcp.subarray(0, n)));
    out.push(datagram({ protocol: UDP }, fullUdp.subarray(0, n)));
    out.push(datagram({ protocol: UDPLITE }, fullUdp.subarray(0, n)));
    out.push(datagram({ protocol: ICMP }, fullIcmp.subarray(0, n)));
    out.push(datagram({ protocol: ICMPV6 }, fullIcmp.subarray(0, n)));
    out.push(datagram({ protocol: 47 }, fullUdp.subarray(0, n)));
    // As first fragments (MF, offset 0) and as later ones.
    for (const fragField of [0x2000, 0x2001, 0x0003, 0x3fff]) {
      out.push(datagram({ protocol: TCP, fragField }, fullTcp.subarray(0, n)));
      out.push(datagram({ protocol: UDP, fragField }, fullUdp.subarray(0, n)));
      out.push(datagram({ protocol: ICMP, fragField }, fullIcmp.subarray(0, n)));
    }
  }
  // UDP: length field shorter, longer, below 8; checksum 0 and bad; UDP-Lite coverage.
  for (const length of [0, 1, 7, 8, 9, 27, 28, 29, 1000, 0xffff]) {
    out.push(datagram({ protocol: UDP }, udpDatagram(1000, 2000, 20, length)));
    out.push(datagram({ protocol: UDPLITE }, udpDatagram(1000, 2000, 20, length)));
    out.push(datagram({ protocol: UDP, fragField: 0x2000 }, udpDatagram(1000, 2000, 20, length)));
  }
  const zero = datagram({ protocol: UDP }, udpDatagram(68, 67, 300));
  put16(zero, 26, 0);
  out.push(zero);
  const zeroBad = zero.slice();
  flip(zeroBad, 40, 1);
  out.push(zeroBad);
  const badUdp = datagram({ protocol: UDP }, udpDatagram(68, 67, 33));
  flip(badUdp, 30, 0xff);
  out.push(badUdp);
  // Checksum 0xffff vs 0 (both zeros of ones'-complement arithmetic) and all-zero segments.
  const ffff = datagram({ protocol: UDP }, udpDatagram(0, 0, 0));
  out.push(ffff);
  out.push(ipv4({ protocol: ICMP }, new Uint8Array(8)));
  out.push(ipv4({ protocol: ICMP }, new Uint8Array([0, 0, 0xff, 0xff, 0, 0, 0, 0])));
  out.push(ipv4({ protocol: UDPLITE }, new Uint8Array(0)));
  // ICMP queries and errors, every type.
  for (let type = 0; type < 256; type += type < 20 ? 1 : 17) {
    out.push(datagram({ protocol: ICMP }, icmpMessage(type, type & 3, 0xabcd0001)));
    out.push(datagram({ protocol: ICMPV6 }, icmpMessage(type, 1, 0xabcd0001)));
    out.push(icmpError(type, 3, datagram({ protocol: UDP }, udpDatagram(53, 4000, 10)), 28));
  }
  // Errors quoting TCP, UDP, UDP-Lite, ICMP (query, error), ICMPv6, GRE; every quote length.
  const inners = [
    datagram({ protocol: TCP, src: DST, dst: SRC }, tcpSegment({ options: opt(3, 5) })),
    datagram({ protocol: UDP, src: DST, dst: SRC }, udpDatagram(53, 4000, 30)),
    datagram({ protocol: UDPLITE, src: DST, dst: SRC }, udpDatagram(53, 4000, 30)),
    datagram({ protocol: ICMP, src: DST, dst: SRC }, icmpMessage(8, 0, 0x12340001, new Uint8Array(20))),
    datagram({ protocol: ICMP, src: DST, dst: SRC }, icmpMessage(13, 0, 0x12340001, new Uint8Array(20))),
    datagram({ protocol: ICMP, src: DST, dst: SRC }, icmpMessage(3, 1, 0, new Uint8Array(28))),
    datagram({ protocol: ICMPV6, src: DST, dst: SRC }, icmpMessage(128, 0, 0x12340001, new Uint8Array(20))),
    datagram({ protocol: ICMPV6, src: DST, dst: SRC }, icmpMessage(1, 0, 0x12340001, new Uint8Array(20))),
    datagram({ protocol: 47, src: DST, dst: SRC }, new Uint8Array(20)),
    datagram({ protocol: TCP, src: DST, dst: SRC, options: [1, 1, 1, 1, 0x94, 4, 0, 0] }, tcpSegment({})),
    datagram({ protocol: TCP, src: DST, dst: SRC, fragField: 0x2000 }, tcpSegment({ payload: 30 })),
    datagram({ protocol: TCP, src: DST, dst: SRC, fragField: 0x0004 }, tcpSegment({ payload: 30 })),
    datagram({ protocol: UDP, src: DST, dst: SRC, fragField: 0x2010 }, udpDatagram(1, 2, 3)),
  ];
  for (const inner of inners) {
    for (let n = 0; n <= inner.length; n++) {
      for (const [type, code] of [
        [3, 3],
        [11, 0],
        [12, 0],
        [5, 1],
        [4, 0],
        [40, 0],
      ] as const) {
        if (type !== 3 && n % 3 !== 0) continue;
        out.push(icmpError(type, code, inner, n));
      }
      if (n % 4 === 0) {
        out.push(icmpError(1, 4, inner, n, ICMPV6));
        out.push(icmpError(3, 4, inner, n, ICMPV6));
      }
    }
    // Quoted headers that lie: a tot_len beyond the quote, below the header; a bad version,
    // ihl below 5 or beyond the quote.
    for (const [offset, value] of [
      [2, 0xff],
      [3, 0x01],
      [0, 0x65],
      [0, 0x44],
      [0, 0x4f],
      [0, 0x46],
      [6, 0x20],
      [7, 0x01],
    ] as const) {
      const copy = inner.slice();
      copy[offset] = value;
      out.push(icmpError(3, 3, copy, 28));
      out.push(icmpError(3, 3, copy, inner.length));
    }
  }
  // Errors that are themselves first or later fragments.
  const longInner = datagram({ protocol: UDP, src: DST, dst: SRC }, udpDatagram(9, 10, 200));
  out.push(ipv4({ protocol: ICMP, src: DST, dst: SRC, fragField: 0x2000 }, icmpMessage(3, 3, 0, longInner)));
  out.push(ipv4({ protocol: ICMP, src: DST, dst: SRC, fragField: 0x0010 }, icmpMessage(3, 3, 0, longInner)));
  // IP options before the transport header; fragments of every protocol.
  for (const protocol of [TCP, UDP, UDPLITE, ICMP, 47, 132, 50, 0, 255]) {
    const payload = protocol === TCP ? tcpSegment({ payload: 17 }) : udpDatagram(7, 9, 17);
    out.push(datagram({ protocol, options: [0x07, 7, 4, 0, 0, 0, 0] }, payload));
    out.push(datagram({ protocol, options: new Array<number>(40).fill(1) }, payload));
    for (const fragField of [0x2000, 0x6000, 0x2001, 0x0001, 0x1fff, 0x8000]) {
      out.push(datagram({ protocol, fragField }, payload));
    }
  }
  // Header only; total length with padding captured after it.
  out.push(ipv4({ protocol: TCP }, new Uint8Array(0)));
  const padded = new Uint8Array(80);
  padded.set(datagram({ protocol: UDP }, udpDatagram(1, 2, 4)));
  out.push(padded);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Datagrams from traces.

const LINKS: ReadonlyMap<number, LinkType> = new Map([
  [1, 'ethernet'],
  [113, 'linux-sll'],
  [228, 'raw-ipv4'],
]);

/** The IPv4 datagram of a captured frame (copied, trimmed to tot_len), or null. */
function datagramOf(p: TracePacket): Uint8Array | null {
  let link = LINKS.get(p.linkType);
  if (p.linkType === 101) link = p.data[0]! >>> 4 === 4 ? 'raw-ipv4' : undefined;
  if (!link) return null;
  const d = decodePacket(p.data, link);
  if (isDecodeError(d) || d.family !== 'ipv4') return null;
  if (d.l3Offset + d.ipLength > p.data.length) return null;
  return p.data.slice(d.l3Offset, d.l3Offset + d.ipLength);
}

function corpusDatagrams(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const file of filesUnder(CORPUS_PCAPS)) {
    const head = readFileSync(file).subarray(0, 4).toString('hex');
    if (!['d4c3b2a1', 'a1b2c3d4', '4d3cb2a1', 'a1b23c4d', '0a0d0d0a'].includes(head)) continue;
    try {
      for (const p of openTrace(file).packetsSync()) {
        const g = datagramOf(p);
        if (g) out.push(g);
      }
    } catch {
      // A damaged capture: what was read before the damage is kept.
    }
  }
  return out;
}

function generatedDatagrams(seed: number, packets: number): Uint8Array[] {
  const root = join(import.meta.dirname, '../../examples/docker-host');
  const rules = join(root, 'rules.v4');
  const ruleset = loadRuleset(readFileSync(rules, 'utf8'), { file: rules }).ruleset;
  const host = parseHostFile(readFileSync(join(root, 'host.json'), 'utf8'), { file: 'host.json' });
  const sink = new MemorySink();
  const writer = new PcapngWriter(sink);
  generateTrace(writer, {
    ruleset,
    host,
    packets,
    flows: 300,
    seed,
    mix: parseTrafficMix('tcp=50,udp=25,icmp=15,invalid=10'),
  });
  writer.flush();
  const out: Uint8Array[] = [];
  for (const p of traceFromBytes(sink.bytes()).packetsSync()) {
    const g = datagramOf(p);
    if (g) out.push(g);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mutations that keep the IPv4 header acceptable to decodePacket.

function mutate(rng: Rng, base: Uint8Array): Uint8Array {
  let b = base.slice();
  const hl = (b[0]! & 15) * 4;
  const steps = 1 + rng.int(4);
  for (let s = 0; s < steps; s++) {
    switch (rng.int(9)) {
      case 0:
      case 1:
      case 2: {
        // Flip bits of a transport (or quoted) byte, mostly in the first 60.
        if (b.length > hl) {
          const span = Math.min(b.length - hl, rng.chance(0.8) ? 60 : b.length);
          flip(b, hl + rng.int(span), 1 << rng.int(8));
        }
        break;
      }
      case 3:
        // A random byte anywhere after the header.
        if (b.length > hl) b[hl + rng.int(b.length - hl)] = rng.int(256);
        break;
      case 4:
        // Cut the datagram short.
        if (b.length > hl) b = b.slice(0, hl + rng.int(b.length - hl));
        break;
      case 5:
        b[9] = rng.pick([TCP, UDP, UDPLITE, ICMP, ICMPV6, 47, 132, rng.int(256)]);
        break;
      case 6:
        put16(b, 6, rng.pick([0, 0x4000, 0x2000, 0x2000 | rng.int(0x2000), rng.int(0x10000)]));
        break;
      case 7:
        // Inside an ICMP error's quote: its header fields.
        if (b.length >= hl + 8 + 20) {
          const q = hl + 8;
          const at = rng.pick([0, 2, 3, 6, 7, 9, 20 + rng.int(8)]);
          if (q + at < b.length) b[q + at] = rng.chance(0.5) ? rng.int(256) : b[q + at]! ^ (1 << rng.int(8));
        }
        break;
      default:
        // Grow it with random bytes.
        {
          const more = new Uint8Array(b.length + 1 + rng.int(40));
          more.set(b);
          for (let i = b.length; i < more.length; i++) more[i] = rng.int(256);
          b = more;
        }
        break;
    }
  }
  put16(b, 2, b.length);
  fixIpChecksum(b);
  // Most mutants get their transport checksum fixed, so the checksum verdict varies.
  if (rng.chance(0.5)) fixL4Checksum(b);
  return b;
}

// ---------------------------------------------------------------------------------------------
// The comparison.

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

function be32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/**
 * What the function documents for a datagram decodePacket rejects in its transport header:
 * PF_UNPARSABLE, except a UDP header whose length field is wrong (ports, bad length).
 */
function lenientPacket(b: Uint8Array, hook: Hook, checksumCheck: boolean): CtPacket {
  const hl = (b[0]! & 15) * 4;
  const protocol = b[9]!;
  const base = {
    family: 'ipv4',
    protocol,
    src: [be32(b, 12)],
    dst: [be32(b, 16)],
    length: b.length,
  } as const;
  if (protocol !== UDP || b.length - hl < 8) return { ...base, unparsable: true };
  const d: DecodedL3 = {
    ...base,
    l3Offset: 0,
    tos: b[1]!,
    ttl: b[8]!,
    ipLength: b.length,
    ipHeaderLength: hl,
    ipChecksumValid: null,
    fragment: null,
    l4Offset: hl,
    srcPort: null,
    dstPort: null,
    tcpFlags: null,
    tcpSeq: null,
    tcpAck: null,
    icmpType: null,
    icmpCode: null,
    icmpId: null,
    icmpSeq: null,
    payloadLength: 0,
  };
  return {
    ...base,
    sport: (b[hl]! << 8) | b[hl + 1]!,
    dport: (b[hl + 2]! << 8) | b[hl + 3]!,
    badChecksum: checksumCheck && hook === 'prerouting' && !transportChecksumValid(b, d),
    badUdpLength: true,
  };
}

class Differential {
  readonly x: CtPacketExports;
  readonly ip: number;
  readonly out: number;
  readonly expected = new Uint8Array(PKT_BYTES);
  readonly view = new DataView(this.expected.buffer);
  readonly rng = new Rng(0xc7);
  comparisons = 0;
  lenient = 0;
  notIpv4 = 0;
  readonly mismatches: string[] = [];
  /** How often each feature of the record occurred in the compared (expected) records. */
  readonly seen = new Map<string, number>();

  constructor() {
    this.x = instantiateClassifier('release') as unknown as CtPacketExports;
    this.ip = this.x.alloc(MAX_DATAGRAM + GUARD) >>> 0;
    this.out = this.x.alloc(PKT_BYTES) >>> 0;
  }

  /** Whether the function takes `bytes` as an IPv4 datagram. */
  accepts(bytes: Uint8Array): boolean {
    return this.call(bytes, 0, true, 0, 0n) !== null;
  }

  private call(
    bytes: Uint8Array,
    hook: number,
    checksum: boolean,
    zone: number,
    now: bigint,
  ): Uint8Array | null {
    const mem = new Uint8Array(this.x.memory.buffer);
    mem.set(bytes, this.ip);
    mem.fill(0xa5, this.ip + bytes.length, this.ip + bytes.length + GUARD);
    mem.fill(0x5a, this.out, this.out + PKT_BYTES);
    const ok = this.x.ctPacketFromIpv4(this.ip, bytes.length, hook, checksum ? 1 : 0, zone, now, this.out);
    if (!ok) return null;
    return new Uint8Array(this.x.memory.buffer, this.out, PKT_BYTES);
  }

  /** Runs one datagram through every hook with the checksum check on and off. */
  check(bytes: Uint8Array, label: string): void {
    if (bytes.length > MAX_DATAGRAM) return;
    const d = decodePacket(bytes, 'raw-ipv4');
    if (isDecodeError(d) && d.layer === 'ipv4') {
      // Not an IPv4 datagram: the only case the function refuses.
      this.notIpv4++;
      if (this.accepts(bytes)) this.fail(label, bytes, 'prerouting', true, 'accepted', []);
      return;
    }
    for (const [hook, hookNumber] of HOOKS) {
      for (const checksum of [true, false]) {
        const zone = this.rng.chance(0.5) ? 0 : this.rng.u32();
        const now = BigInt.asIntN(64, (BigInt(this.rng.u32()) << 32n) | BigInt(this.rng.u32()));
        const pkt = isDecodeError(d)
          ? lenientPacket(bytes, hook, checksum)
          : ctPacketOf(bytes, d, hook, checksum);
        this.expected.fill(0);
        encodePacket(this.view, 0, { pkt, now, hook, zone });
        const got = this.call(bytes, hookNumber, checksum, zone, now);
        if (isDecodeError(d)) this.lenient++;
        else {
          this.comparisons++;
          this.tally();
        }
        if (got === null) {
          this.fail(label, bytes, hook, checksum, 'refused', []);
          continue;
        }
        const diff: number[] = [];
        for (let i = 0; i < PKT_BYTES; i++) if (got[i] !== this.expected[i]) diff.push(i);
        if (diff.length > 0) this.fail(label, bytes, hook, checksum, hexOf(got), diff);
      }
    }
  }

  private tally(): void {
    const v = this.view;
    const names: string[] = [];
    const pf = v.getUint32(0, true);
    for (const [name, bit] of PF_NAMES) if (pf & bit) names.push(name);
    if (pf & PF_TCP) names.push(`sack edges ${v.getUint8(23)}`);
    const qf = v.getUint32(104, true);
    for (const [name, bit] of QF_NAMES) if (qf & bit) names.push(name);
    if (qf === QF_PRESENT) names.push('quoted header only');
    for (const n of names) this.seen.set(n, (this.seen.get(n) ?? 0) + 1);
  }

  private fail(
    label: string,
    bytes: Uint8Array,
    hook: Hook,
    checksum: boolean,
    got: string,
    diff: number[],
  ): void {
    if (this.mismatches.length >= 20) return;
    this.mismatches.push(
      `${label} ${hook} checksum=${checksum}\n  packet   ${hexOf(bytes)}\n  offsets  ${diff.join(',')}\n` +
        `  expected ${hexOf(this.expected)}\n  got      ${got}`,
    );
  }

  report(): void {
    if (this.mismatches.length > 0) console.error(this.mismatches.join('\n'));
  }
}

describe('ctPacketFromIpv4 against encodePacket(ctPacketOf(decodePacket))', () => {
  const diff = new Differential();
  const pool: Uint8Array[] = [];

  it('refuses what is not IPv4', () => {
    const good = datagram({ protocol: UDP }, udpDatagram(1, 2, 3));
    const cases: Uint8Array[] = [new Uint8Array(0), good.subarray(0, 19)];
    for (const [offset, value] of [
      [0, 0x65],
      [0, 0x44],
      [0, 0x4f],
      [2, 0xff],
      [3, 0x10],
    ] as const) {
      const b = good.slice();
      b[offset] = value;
      cases.push(b);
    }
    for (const b of cases) expect(diff.accepts(b), hexOf(b)).toBe(false);
    expect(diff.accepts(good)).toBe(true);
  });

  it('hand-made edge cases', () => {
    for (const [i, b] of handMade().entries()) {
      diff.check(b, `hand-made #${i}`);
      pool.push(b);
    }
    diff.report();
    expect(diff.mismatches).toEqual([]);
  });

  it('the pcap corpus', () => {
    const corpus = corpusDatagrams();
    if (corpus.length === 0) return;
    for (const [i, b] of corpus.entries()) diff.check(b, `corpus #${i}`);
    for (let i = 0; i < corpus.length; i += 4) pool.push(corpus[i]!);
    diff.report();
    expect(diff.mismatches).toEqual([]);
  });

  it('generated traces', () => {
    const generated = generatedDatagrams(11, 6000);
    expect(generated.length).toBeGreaterThan(5000);
    for (const [i, b] of generated.entries()) diff.check(b, `generated #${i}`);
    for (let i = 0; i < generated.length; i += 3) pool.push(generated[i]!);
    diff.report();
    expect(diff.mismatches).toEqual([]);
  });

  it('seeded mutations', () => {
    const rng = new Rng(0x5eed);
    for (let i = 0; i < 20000; i++) {
      const base = rng.pick(pool);
      // ICMP errors quoting a mutant of another datagram, or a mutant itself.
      const b = rng.chance(0.15)
        ? icmpError(3, rng.int(16), mutate(rng, base), 28 + rng.int(40))
        : mutate(rng, base);
      diff.check(b, `mutant #${i}`);
    }
    diff.report();
    expect(diff.mismatches).toEqual([]);
    console.info(
      `ct-packet differential: ${diff.comparisons} comparisons, ${diff.lenient} of datagrams decodePacket ` +
        `rejects, ${diff.notIpv4} refused`,
    );
    expect(diff.comparisons).toBeGreaterThanOrEqual(50_000);
    // Every part of the record was exercised.
    const features = [
      ...PF_NAMES.map(([n]) => n),
      ...QF_NAMES.map(([n]) => n),
      'quoted header only',
      ...[0, 1, 2, 3, 4].map((k) => `sack edges ${k}`),
    ];
    expect(features.filter((f) => !diff.seen.has(f))).toEqual([]);
  });
});
