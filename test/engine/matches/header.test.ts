// Header matches of the reference engine (tcp, udp, sctp, icmp, icmp6, multiport, length, ttl,
// hl, tos, dscp, ecn, esp, ah, frag, rt, ipv6header, hbh, dst, iprange, mac, pkttype, string,
// comment), each on the IR the iptables front end builds from a real rule, against packets
// built byte by byte where the kernel's corner cases need them (fragments, truncated headers,
// IP options, IPv6 extension headers).

import { describe, expect, it } from 'vitest';
import type { MatchEvaluator } from '../../../src/engine/reference/match-evaluator.js';
import { MATCH_EVALUATORS } from '../../../src/engine/reference/matches/index.js';
import type { EnginePacket } from '../../../src/engine/reference/packet.js';
import { parseIptablesSave } from '../../../src/frontend/iptables/restore-parser.js';
import type { Family } from '../../../src/ir/address.js';
import type { Rule } from '../../../src/ir/ruleset.js';
import { put16, put32 } from '../../../src/wire/bytes.js';
import { type DecodedPacket, decodePacket, isDecodeError } from '../../../src/wire/packet.js';
import { type FakeContextOptions, fakeContext, packetFrom } from '../fake-context.js';

// --- rules -----------------------------------------------------------------------------------

const BASE_KINDS = new Set([
  'source',
  'destination',
  'in-interface',
  'out-interface',
  'protocol',
  'fragment',
]);

function ruleOf(text: string, family: Family): Rule {
  const rs = parseIptablesSave(`*filter\n-A INPUT ${text}\nCOMMIT\n`, {
    file: family === 'ipv4' ? 't.v4' : 't.v6',
    family,
  });
  return rs.tables[0]!.chains.find((c) => c.name === 'INPUT')!.rules[0]!;
}

/** The rule's non-base matches in order, as the table walk would: first non-true result wins. */
function evaluate(text: string, packet: EnginePacket, o: FakeContextOptions = {}): boolean | 'hotdrop' {
  const rule = ruleOf(text, packet.decoded.family);
  const ctx = fakeContext(packet, o);
  for (const m of rule.matches) {
    if (BASE_KINDS.has(m.kind)) continue;
    const ev = MATCH_EVALUATORS[m.kind] as MatchEvaluator;
    const r = ev.test(m, ctx, rule);
    if (r !== true) return r;
  }
  return true;
}

// --- packets ---------------------------------------------------------------------------------

const SRC4 = 0xc6336407; // 198.51.100.7
const DST4 = 0xcb007101; // 203.0.113.1
const SRC6 = [0x20010db8, 0, 0, 7];
const DST6 = [0x20010db8, 0, 0, 1];

/**
 * Decodes the datagram; when the decoder refuses it (a header truncated on purpose), the IP
 * layer is decoded alone (upper layer hidden) and the protocol put back: the evaluators read
 * the bytes themselves.
 */
function decoded(bytes: Uint8Array, family: Family): DecodedPacket {
  const link = family === 'ipv4' ? 'raw-ipv4' : 'raw-ipv6';
  const d = decodePacket(bytes, link);
  if (!isDecodeError(d)) return d;
  const copy = bytes.slice();
  if (family === 'ipv4') copy[9] = 253;
  else copy[6] = 59;
  const ip = decodePacket(copy, link);
  if (isDecodeError(ip)) throw new Error(`test packet does not decode: ${ip.error}`);
  return { ...ip, protocol: family === 'ipv4' ? bytes[9]! : ip.protocol };
}

function engine(bytes: Uint8Array, family: Family, over: Partial<EnginePacket> = {}): EnginePacket {
  return {
    bytes,
    decoded: decoded(bytes, family),
    timestampNs: 0n,
    iif: 'eth0',
    oif: null,
    physIn: null,
    physOut: null,
    bridged: false,
    macSrc: null,
    macDst: null,
    mark: 0,
    socket: null,
    ...over,
  };
}

interface V4Options {
  readonly fragField?: number;
  readonly ipOptions?: readonly number[];
  readonly tos?: number;
  readonly ttl?: number;
  readonly dst?: number;
}

function v4(protocol: number, l4: readonly number[], o: V4Options = {}, over: Partial<EnginePacket> = {}) {
  const hl = 20 + (o.ipOptions?.length ?? 0);
  const b = new Uint8Array(hl + l4.length);
  b[0] = 0x40 | (hl >>> 2);
  b[1] = o.tos ?? 0;
  put16(b, 2, b.length);
  put16(b, 6, o.fragField ?? 0);
  b[8] = o.ttl ?? 64;
  b[9] = protocol;
  put32(b, 12, SRC4);
  put32(b, 16, o.dst ?? DST4);
  b.set(o.ipOptions ?? [], 20);
  b.set(l4, hl);
  return engine(b, 'ipv4', over);
}

interface V6Options {
  readonly tclass?: number;
  readonly hopLimit?: number;
  readonly dst?: readonly number[];
}

function v6(
  nextHeader: number,
  payload: readonly number[],
  o: V6Options = {},
  over: Partial<EnginePacket> = {},
) {
  const b = new Uint8Array(40 + payload.length);
  put32(b, 0, ((6 << 28) | ((o.tclass ?? 0) << 20)) >>> 0);
  put16(b, 4, payload.length);
  b[6] = nextHeader;
  b[7] = o.hopLimit ?? 64;
  for (let i = 0; i < 4; i++) {
    put32(b, 8 + 4 * i, SRC6[i]!);
    put32(b, 24 + 4 * i, (o.dst ?? DST6)[i]!);
  }
  b.set(payload, 40);
  return engine(b, 'ipv6', over);
}

const be16 = (v: number) => [(v >>> 8) & 0xff, v & 0xff];
const be32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

/** A TCP header (data offset from the options, or forced) and payload. */
function tcp(sport: number, dport: number, flags: number, options: readonly number[] = [], doff?: number) {
  const words = doff ?? 5 + Math.ceil(options.length / 4);
  const opts = [...options];
  while (opts.length % 4) opts.push(0);
  return [
    ...be16(sport),
    ...be16(dport),
    ...be32(1),
    ...be32(0),
    words << 4,
    flags,
    ...be16(1000),
    0,
    0,
    0,
    0,
    ...opts,
  ];
}

const udp = (sport: number, dport: number, payload: readonly number[] = []) => [
  ...be16(sport),
  ...be16(dport),
  ...be16(8 + payload.length),
  0,
  0,
  ...payload,
];

/** An SCTP common header and chunks given as [type, flags, value bytes]. */
function sctp(
  sport: number,
  dport: number,
  chunks: readonly (readonly [number, number, readonly number[]])[],
) {
  const out = [...be16(sport), ...be16(dport), ...be32(0x1234), ...be32(0)];
  for (const [type, flags, value] of chunks) {
    out.push(type, flags, ...be16(4 + value.length), ...value);
    while (out.length % 4) out.push(0);
  }
  return out;
}

/** An IPv6 extension header of `len8` 8-byte units (hop-by-hop, routing, destination). */
function ext(next: number, body: readonly number[]): number[] {
  const total = 2 + body.length;
  if (total % 8) throw new Error('extension header body must make a multiple of 8 bytes');
  return [next, total / 8 - 1, ...body];
}

function fragHdr(next: number, offsetBytes: number, more: boolean, id: number, reserved = 0, resBits = 0) {
  return [next, reserved, ...be16(offsetBytes | resBits | (more ? 1 : 0)), ...be32(id)];
}

const TCP = 6;
const UDP = 17;
const SCTP = 132;
const ESP = 50;
const AH = 51;
const S = 0x02;
const A = 0x10;

// --- tcp ---------------------------------------------------------------------------------------

describe('tcp (tcp_mt)', () => {
  const syn = packetFrom('tcp 198.51.100.7:40000 > 203.0.113.1:80 iif eth0 flags S mss 1460');
  const ack = packetFrom('tcp 198.51.100.7:40000 > 203.0.113.1:80 iif eth0 flags A');

  it('matches ports and port ranges, each negated on its own', () => {
    expect(evaluate('-p tcp -m tcp --dport 80', syn)).toBe(true);
    expect(evaluate('-p tcp -m tcp --dport 81', syn)).toBe(false);
    expect(evaluate('-p tcp -m tcp --sport 39999:40001 --dport 1:80', syn)).toBe(true);
    expect(evaluate('-p tcp -m tcp ! --dport 80', syn)).toBe(false);
    expect(evaluate('-p tcp -m tcp ! --sport 1:1024 --dport 80', syn)).toBe(true);
    expect(evaluate('-p tcp -m tcp --sport 1:1024 ! --dport 22', syn)).toBe(false);
  });

  it('tests the flags byte under the mask, --syn being SYN,RST,ACK,FIN SYN', () => {
    expect(evaluate('-p tcp -m tcp --syn', syn)).toBe(true);
    expect(evaluate('-p tcp -m tcp --syn', ack)).toBe(false);
    expect(evaluate('-p tcp -m tcp ! --syn', ack)).toBe(true);
    expect(evaluate('-p tcp -m tcp --tcp-flags SYN,ACK ACK', ack)).toBe(true);
    expect(evaluate('-p tcp -m tcp ! --tcp-flags ALL NONE', ack)).toBe(true);
    const synAck = v4(TCP, tcp(80, 40000, S | A));
    expect(evaluate('-p tcp -m tcp --syn', synAck)).toBe(false);
    // iptables' ALL is the six classic flags (0x3f): ECE and CWR are outside the mask.
    const ece = v4(TCP, tcp(1, 2, S | 0x40));
    expect(evaluate('-p tcp -m tcp --tcp-flags ALL SYN', ece)).toBe(true);
    expect(evaluate('-p tcp -m tcp --syn', ece)).toBe(true);
  });

  it('finds an option by walking the option area', () => {
    expect(evaluate('-p tcp -m tcp --tcp-option 2', syn)).toBe(true);
    expect(evaluate('-p tcp -m tcp ! --tcp-option 2', syn)).toBe(false);
    expect(evaluate('-p tcp -m tcp --tcp-option 8', syn)).toBe(false);
    // NOP, NOP, timestamps (kind 8, length 10).
    const ts = v4(TCP, tcp(1, 2, A, [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]));
    expect(evaluate('-p tcp -m tcp --tcp-option 8', ts)).toBe(true);
    // The timestamp's data bytes are skipped, not read as option kinds.
    expect(evaluate('-p tcp -m tcp --tcp-option 2', ts)).toBe(false);
    // A zero length byte steps one byte: the next byte is then read as a kind.
    const zeroLen = v4(TCP, tcp(1, 2, A, [30, 0, 2, 4]));
    expect(evaluate('-p tcp -m tcp --tcp-option 2', zeroLen)).toBe(true);
    // EOL does not end the walk.
    const eol = v4(TCP, tcp(1, 2, A, [0, 0, 2, 4]));
    expect(evaluate('-p tcp -m tcp --tcp-option 2', eol)).toBe(true);
  });

  it('without options, --tcp-option fails and its negation holds', () => {
    expect(evaluate('-p tcp -m tcp --tcp-option 2', ack)).toBe(false);
    expect(evaluate('-p tcp -m tcp ! --tcp-option 2', ack)).toBe(true);
  });

  it('hotdrops a data offset below 5 only when an option is tested', () => {
    const bad = v4(TCP, tcp(1, 2, A, [], 4));
    expect(evaluate('-p tcp -m tcp --dport 2', bad)).toBe(true);
    expect(evaluate('-p tcp -m tcp --tcp-option 2', bad)).toBe('hotdrop');
    expect(evaluate('-p tcp -m tcp ! --tcp-option 2', bad)).toBe('hotdrop');
  });

  it('hotdrops options cut short by the end of the packet', () => {
    // Data offset 8 (12 option bytes) but the datagram ends after 4 of them.
    const full = tcp(1, 2, A, [1, 1, 1, 1], 8);
    expect(evaluate('-p tcp -m tcp --tcp-option 2', v4(TCP, full))).toBe('hotdrop');
    // The ports and flags are still readable: no option test, no drop.
    expect(evaluate('-p tcp -m tcp --dport 2', v4(TCP, full))).toBe(true);
  });

  it('reads the header after IPv4 options (ihl > 5)', () => {
    const p = v4(TCP, tcp(5000, 443, S), { ipOptions: [1, 1, 1, 0] });
    expect(p.decoded.ipHeaderLength).toBe(24);
    expect(evaluate('-p tcp -m tcp --sport 5000 --dport 443 --syn', p)).toBe(true);
  });

  it('drops a header shorter than 20 bytes in a first fragment (tinygram)', () => {
    const first = v4(TCP, tcp(1, 2, S).slice(0, 12), { fragField: 0x2000 });
    expect(first.decoded.fragment).not.toBeNull();
    expect(evaluate('-p tcp -m tcp --dport 2', first)).toBe('hotdrop');
    expect(evaluate('-p tcp -m tcp ! --dport 2', first)).toBe('hotdrop');
  });

  it('never matches a later fragment, and drops one at offset 8 bytes (fragoff 1)', () => {
    const at8 = v4(TCP, [0, 0, 0, 0, 0, 0, 0, 0], { fragField: 1 });
    const at16 = v4(TCP, [0, 0, 0, 0, 0, 0, 0, 0], { fragField: 2 });
    expect(evaluate('-p tcp -m tcp --dport 2', at8)).toBe('hotdrop');
    expect(evaluate('-p tcp -m tcp ! --dport 2', at8)).toBe('hotdrop');
    expect(evaluate('-p tcp -m tcp', at16)).toBe(false);
    expect(evaluate('-p tcp -m tcp ! --dport 2', at16)).toBe(false);
  });

  it('IPv6: finds the header after extension headers; later fragments never drop', () => {
    const hop = ext(TCP, [1, 4, 0, 0, 0, 0]);
    const p = v6(0, [...hop, ...tcp(40000, 22, S)]);
    expect(evaluate('-p tcp -m tcp --dport 22 --syn', p)).toBe(true);
    const later = v6(44, [...fragHdr(TCP, 8, true, 7), ...tcp(1, 2, S)]);
    expect(later.decoded.l4Offset).toBe(-1);
    expect(evaluate('-p tcp -m tcp --dport 2', later)).toBe(false);
    expect(evaluate('-p tcp -m tcp ! --dport 2', later)).toBe(false);
  });
});

// --- udp, icmp, icmp6, multiport -------------------------------------------------------------

describe('udp (udp_mt)', () => {
  const dns = packetFrom('udp 198.51.100.7:5353 > 203.0.113.1:53 iif eth0');

  it('matches each port range with its own negation', () => {
    expect(evaluate('-p udp -m udp --dport 53', dns)).toBe(true);
    expect(evaluate('-p udp -m udp --sport 1:1023', dns)).toBe(false);
    expect(evaluate('-p udp -m udp ! --sport 1:1023 --dport 53', dns)).toBe(true);
    expect(evaluate('-p udp -m udp --sport 5353 ! --dport 53', dns)).toBe(false);
  });

  it('fails quietly on later fragments and drops a header under 8 bytes', () => {
    expect(evaluate('-p udp -m udp --dport 53', v4(UDP, udp(1, 53), { fragField: 1 }))).toBe(false);
    const short = v4(UDP, udp(1, 53).slice(0, 6), { fragField: 0x2000 });
    expect(evaluate('-p udp -m udp --dport 53', short)).toBe('hotdrop');
  });
});

describe('icmp / icmp6 (icmp_match, icmp6_match)', () => {
  const echo = packetFrom('icmp 198.51.100.7 > 203.0.113.1 echo-request id 1 seq 1');
  const unreach = v4(1, [3, 3, 0, 0, 0, 0, 0, 0]);

  it('matches type and code range, negated as a whole', () => {
    expect(evaluate('-p icmp -m icmp --icmp-type echo-request', echo)).toBe(true);
    expect(evaluate('-p icmp -m icmp --icmp-type echo-reply', echo)).toBe(false);
    expect(evaluate('-p icmp -m icmp ! --icmp-type echo-request', echo)).toBe(false);
    expect(evaluate('-p icmp -m icmp --icmp-type port-unreachable', unreach)).toBe(true);
    expect(evaluate('-p icmp -m icmp --icmp-type host-unreachable', unreach)).toBe(false);
    expect(evaluate('-p icmp -m icmp --icmp-type destination-unreachable', unreach)).toBe(true);
  });

  it('IPv4 type 255 ("any") matches every ICMP packet; its negation none', () => {
    expect(evaluate('-p icmp -m icmp --icmp-type any', unreach)).toBe(true);
    expect(evaluate('-p icmp -m icmp ! --icmp-type any', echo)).toBe(false);
  });

  it('ICMPv6 type 255 is no wildcard', () => {
    const echo6 = packetFrom('icmpv6 2001:db8::7 > 2001:db8::1 echo-request id 1 seq 1');
    expect(evaluate('-p ipv6-icmp -m icmp6 --icmpv6-type echo-request', echo6)).toBe(true);
    expect(evaluate('-p ipv6-icmp -m icmp6 --icmpv6-type 255', echo6)).toBe(false);
    expect(evaluate('-p ipv6-icmp -m icmp6 ! --icmpv6-type 255', echo6)).toBe(true);
    expect(evaluate('-p ipv6-icmp -m icmp6 --icmpv6-type 128/0', echo6)).toBe(true);
    expect(evaluate('-p ipv6-icmp -m icmp6 --icmpv6-type 128/1', echo6)).toBe(false);
  });

  it('fails on later fragments and drops a header under 8 bytes', () => {
    expect(evaluate('-p icmp -m icmp --icmp-type any', v4(1, [8, 0, 0, 0], { fragField: 3 }))).toBe(false);
    expect(evaluate('-p icmp -m icmp --icmp-type any', v4(1, [8, 0, 0, 0], { fragField: 0x2000 }))).toBe(
      'hotdrop',
    );
  });
});

describe('multiport (multiport_mt)', () => {
  const p = packetFrom('tcp 198.51.100.7:40000 > 203.0.113.1:8080 iif eth0 flags S');

  it('tests the chosen port against ports and ranges, negated as a whole', () => {
    expect(evaluate('-p tcp -m multiport --dports 22,80,8000:8100', p)).toBe(true);
    expect(evaluate('-p tcp -m multiport --dports 22,80', p)).toBe(false);
    expect(evaluate('-p tcp -m multiport ! --dports 22,80', p)).toBe(true);
    expect(evaluate('-p tcp -m multiport ! --dports 22,8080', p)).toBe(false);
    expect(evaluate('-p tcp -m multiport --sports 8080', p)).toBe(false);
    expect(evaluate('-p tcp -m multiport --sports 39000:41000', p)).toBe(true);
    expect(evaluate('-p tcp -m multiport --ports 8080', p)).toBe(true);
    expect(evaluate('-p tcp -m multiport --ports 40000', p)).toBe(true);
    expect(evaluate('-p tcp -m multiport --ports 1:100', p)).toBe(false);
  });

  it('needs only the 4 port bytes; fewer is a drop, a later fragment no match', () => {
    const four = v4(TCP, [0x1f, 0x90, 0x1f, 0x90], { fragField: 0x2000 });
    expect(evaluate('-p tcp -m multiport --dports 8080', four)).toBe(true);
    const three = v4(TCP, [0x1f, 0x90, 0x1f], { fragField: 0x2000 });
    expect(evaluate('-p tcp -m multiport --dports 8080', three)).toBe('hotdrop');
    expect(evaluate('-p tcp -m multiport ! --dports 1', v4(TCP, tcp(1, 2, S), { fragField: 5 }))).toBe(false);
  });
});

// --- sctp ------------------------------------------------------------------------------------

describe('sctp (sctp_mt, match_packet)', () => {
  const DATA = 0;
  const INIT = 1;
  const SACK = 3;
  const init = v4(SCTP, sctp(5000, 38412, [[INIT, 0, [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1]]]));
  const dataSack = v4(
    SCTP,
    sctp(5000, 38412, [
      [DATA, 0x03, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
      [SACK, 0, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ]),
  );

  it('matches ports', () => {
    expect(evaluate('-p sctp -m sctp --dport 38412', init)).toBe(true);
    expect(evaluate('-p sctp -m sctp ! --sport 5000', init)).toBe(false);
  });

  it('any / all / only over the chunk types, with flag tests', () => {
    expect(evaluate('-p sctp -m sctp --chunk-types any INIT,SACK', init)).toBe(true);
    expect(evaluate('-p sctp -m sctp --chunk-types all INIT,SACK', init)).toBe(false);
    expect(evaluate('-p sctp -m sctp --chunk-types all DATA,SACK', dataSack)).toBe(true);
    expect(evaluate('-p sctp -m sctp --chunk-types only DATA,SACK', dataSack)).toBe(true);
    expect(evaluate('-p sctp -m sctp --chunk-types only DATA', dataSack)).toBe(false);
    expect(evaluate('-p sctp -m sctp ! --chunk-types only DATA', dataSack)).toBe(true);
    // DATA with B and E set (flags 0x03).
    expect(evaluate('-p sctp -m sctp --chunk-types any DATA:BE', dataSack)).toBe(true);
    expect(evaluate('-p sctp -m sctp --chunk-types any DATA:b', dataSack)).toBe(false);
    // A failed flag test: for all the chunk does not count; for only it is an outright failure.
    expect(evaluate('-p sctp -m sctp --chunk-types all DATA:U,SACK', dataSack)).toBe(false);
    expect(evaluate('-p sctp -m sctp --chunk-types only DATA:U,SACK', dataSack)).toBe(false);
    expect(evaluate('-p sctp -m sctp --chunk-types all NONE', dataSack)).toBe(true);
    expect(evaluate('-p sctp -m sctp --chunk-types any NONE', dataSack)).toBe(false);
    expect(evaluate('-p sctp -m sctp --chunk-types only ALL', dataSack)).toBe(true);
  });

  it('drops a packet whose chunk walk meets a missing or zero-length chunk, even under !', () => {
    const zero = v4(
      SCTP,
      sctp(1, 2, [[INIT, 0, []]]).map((b, i) => (i === 14 || i === 15 ? 0 : b)),
    );
    expect(evaluate('-p sctp -m sctp --chunk-types any INIT', zero)).toBe('hotdrop');
    expect(evaluate('-p sctp -m sctp ! --chunk-types any DATA', zero)).toBe('hotdrop');
    expect(evaluate('-p sctp -m sctp --dport 2', zero)).toBe(true);
    // No chunk at all: the walk still reads one.
    const bare = v4(SCTP, sctp(1, 2, []));
    expect(evaluate('-p sctp -m sctp --chunk-types all NONE', bare)).toBe('hotdrop');
    // Port mismatch comes first: no walk, no drop.
    expect(evaluate('-p sctp -m sctp --dport 3 --chunk-types any INIT', bare)).toBe(false);
  });

  it('steps chunk lengths rounded up to 4 (a length of 1 steps 4 bytes)', () => {
    const odd = v4(SCTP, [...sctp(1, 2, []), INIT, 0, 0, 1, SACK, 0, 0, 4]);
    expect(evaluate('-p sctp -m sctp --chunk-types all INIT,SACK', odd)).toBe(true);
  });

  it('drops a short common header, fails on later fragments', () => {
    expect(
      evaluate('-p sctp -m sctp --dport 2', v4(SCTP, [0, 1, 0, 2, 0, 0, 0, 0], { fragField: 0x2000 })),
    ).toBe('hotdrop');
    expect(evaluate('-p sctp -m sctp', v4(SCTP, sctp(1, 2, []), { fragField: 1 }))).toBe(false);
  });
});

// --- IP header fields ------------------------------------------------------------------------

describe('length, ttl, hl, tos, dscp, ecn', () => {
  it('length: IPv4 tot_len, IPv6 payload length plus 40', () => {
    const p4 = packetFrom('udp 198.51.100.7:1 > 203.0.113.1:2 len 12'); // 20 + 8 + 12
    expect(evaluate('-m length --length 40', p4)).toBe(true);
    expect(evaluate('-m length --length 41:1500', p4)).toBe(false);
    expect(evaluate('-m length ! --length 41:1500', p4)).toBe(true);
    const p6 = packetFrom('udp [2001:db8::7]:1 > [2001:db8::1]:2 len 12'); // 40 + 8 + 12
    expect(evaluate('-m length --length 60', p6)).toBe(true);
    expect(evaluate('-m length --length 20', p6)).toBe(false);
  });

  it('ttl and hl compare with eq, ne, lt, gt', () => {
    const p4 = packetFrom('tcp 198.51.100.7:1 > 203.0.113.1:2 ttl 5');
    expect(evaluate('-m ttl --ttl-eq 5', p4)).toBe(true);
    expect(evaluate('-m ttl ! --ttl-eq 5', p4)).toBe(false);
    expect(evaluate('-m ttl --ttl-lt 5', p4)).toBe(false);
    expect(evaluate('-m ttl --ttl-lt 6', p4)).toBe(true);
    expect(evaluate('-m ttl --ttl-gt 4', p4)).toBe(true);
    const p6 = packetFrom('tcp [2001:db8::7]:1 > [2001:db8::1]:2 ttl 255');
    expect(evaluate('-m hl --hl-eq 255', p6)).toBe(true);
    expect(evaluate('-m hl --hl-gt 254', p6)).toBe(true);
    expect(evaluate('-m hl ! --hl-eq 255', p6)).toBe(false);
    expect(evaluate('-m hl --hl-lt 255', p6)).toBe(false);
  });

  it('tos and dscp read the TOS byte and the IPv6 traffic class', () => {
    const p4 = v4(TCP, tcp(1, 2, S), { tos: 0xb9 }); // DSCP 46 (EF), ECN 1
    expect(evaluate('-m dscp --dscp 46', p4)).toBe(true);
    expect(evaluate('-m dscp --dscp-class EF', p4)).toBe(true);
    expect(evaluate('-m dscp ! --dscp 46', p4)).toBe(false);
    expect(evaluate('-m tos --tos 0xb8/0xfc', p4)).toBe(true);
    expect(evaluate('-m tos --tos 0xb8', p4)).toBe(false);
    expect(evaluate('-m tos ! --tos 0xb8', p4)).toBe(true);
    const p6 = v6(TCP, tcp(1, 2, S), { tclass: 0x2a }); // DSCP 10, ECN 2
    expect(evaluate('-m dscp --dscp 10', p6)).toBe(true);
    expect(evaluate('-m tos --tos 0x28/0xfc', p6)).toBe(true);
    expect(evaluate('-m tos --tos 0x2a/0xff', p6)).toBe(true);
  });

  it('ecn: the IP ECN field, then ECE and CWR, each with its own !', () => {
    const p4 = v4(TCP, tcp(1, 2, S | 0x40 | 0x80), { tos: 0x03 });
    expect(evaluate('-m ecn --ecn-ip-ect 3', p4)).toBe(true);
    expect(evaluate('-m ecn ! --ecn-ip-ect 3', p4)).toBe(false);
    expect(evaluate('-p tcp -m ecn --ecn-tcp-ece --ecn-tcp-cwr', p4)).toBe(true);
    expect(evaluate('-p tcp -m ecn ! --ecn-tcp-cwr', p4)).toBe(false);
    const plain = v4(TCP, tcp(1, 2, S), { tos: 0x01 });
    expect(evaluate('-p tcp -m ecn ! --ecn-tcp-ece ! --ecn-tcp-cwr --ecn-ip-ect 1', plain)).toBe(true);
    expect(evaluate('-p tcp -m ecn --ecn-tcp-ece', plain)).toBe(false);
    const p6 = v6(TCP, tcp(1, 2, A), { tclass: 0x02 });
    expect(evaluate('-m ecn --ecn-ip-ect 2', p6)).toBe(true);
  });

  it('ecn never drops and reads a later fragment at thoff as if it were TCP', () => {
    // IPv4: the fragment data at ip_hdrlen; byte 13 of it (0x80) reads as CWR.
    const data = Array.from({ length: 24 }, (_, i) => (i === 13 ? 0x80 : 0));
    expect(evaluate('-p tcp -m ecn --ecn-tcp-cwr', v4(TCP, data, { fragField: 4 }))).toBe(true);
    // Fewer than 20 bytes there: no match, no drop.
    expect(evaluate('-p tcp -m ecn ! --ecn-tcp-cwr', v4(TCP, data.slice(0, 12), { fragField: 4 }))).toBe(
      false,
    );
    // IPv6: thoff is 0, so byte 13 of the IPv6 header (source address byte 5) is the "flags".
    const later = v6(44, [...fragHdr(TCP, 16, false, 9), ...data]);
    expect(later.bytes[13]).toBe(0); // 2001:db8::7 → byte 5 of the address is 0
    expect(evaluate('-p tcp -m ecn ! --ecn-tcp-cwr', later)).toBe(true);
    later.bytes[13] = 0x80;
    expect(evaluate('-p tcp -m ecn --ecn-tcp-cwr', later)).toBe(true);
  });
});

// --- IPsec -----------------------------------------------------------------------------------

describe('esp, ah (esp_mt, ah_mt, ah_mt6)', () => {
  const espBody = [...be32(0x1000), ...be32(1), 0, 0, 0, 0];

  it('esp: the SPI in a u32 range, IPv4 and IPv6', () => {
    expect(evaluate('-p esp -m esp --espspi 4096', v4(ESP, espBody))).toBe(true);
    expect(evaluate('-p esp -m esp --espspi 1:4095', v4(ESP, espBody))).toBe(false);
    expect(evaluate('-p esp -m esp ! --espspi 1:4095', v4(ESP, espBody))).toBe(true);
    const big = v4(ESP, [...be32(0xfffffff0), ...be32(1)]);
    expect(evaluate('-p esp -m esp --espspi 4294967280:4294967295', big)).toBe(true);
    expect(evaluate('-p esp -m esp --espspi 4096', v6(ESP, espBody))).toBe(true);
    expect(evaluate('-p esp -m esp --espspi 4096', v4(ESP, espBody.slice(0, 6), { fragField: 0x2000 }))).toBe(
      'hotdrop',
    );
    expect(evaluate('-p esp -m esp', v4(ESP, espBody, { fragField: 9 }))).toBe(false);
  });

  const ahBody = (next: number, spi: number, reserved = 0) => [
    next,
    4,
    ...be16(reserved),
    ...be32(spi),
    ...be32(1),
    ...be32(0),
    ...be32(0),
    ...be32(0),
  ];

  it('ah over IPv4: the SPI at thoff, 12 bytes needed', () => {
    expect(evaluate('-p ah -m ah --ahspi 500', v4(AH, ahBody(TCP, 500)))).toBe(true);
    expect(evaluate('-p ah -m ah ! --ahspi 500', v4(AH, ahBody(TCP, 500)))).toBe(false);
    expect(
      evaluate('-p ah -m ah --ahspi 1', v4(AH, ahBody(TCP, 500).slice(0, 10), { fragField: 0x2000 })),
    ).toBe('hotdrop');
  });

  it('ah over IPv6: found among extension headers; length in bytes, reserved field', () => {
    const p = v6(0, [...ext(AH, [1, 4, 0, 0, 0, 0]), ...ahBody(TCP, 77), ...tcp(1, 2, S)]);
    expect(evaluate('-m ah --ahspi 77', p)).toBe(true);
    expect(evaluate('-m ah --ahspi 78', p)).toBe(false);
    // hdrlen 4 → (4 + 2) * 4 = 24 bytes.
    expect(evaluate('-m ah --ahlen 24', p)).toBe(true);
    expect(evaluate('-m ah --ahlen 4', p)).toBe(false);
    expect(evaluate('-m ah ! --ahlen 24', p)).toBe(false);
    // --ahlen 0 is ignored even negated.
    expect(evaluate('-m ah ! --ahlen 0', p)).toBe(true);
    expect(evaluate('-m ah --ahres', p)).toBe(true);
    const res = v6(AH, [...ahBody(TCP, 77, 1), ...tcp(1, 2, S)]);
    expect(evaluate('-m ah --ahres', res)).toBe(false);
    expect(evaluate('-m ah', v6(TCP, tcp(1, 2, S)))).toBe(false);
  });
});

// --- IPv6 extension headers --------------------------------------------------------------------

describe('frag, rt, hbh, dst, ipv6header', () => {
  const first = v6(44, [...fragHdr(UDP, 0, true, 0x01020304), ...udp(1, 2, [1, 2, 3, 4])]);
  const middle = v6(44, [...fragHdr(UDP, 64, true, 9), 1, 2, 3, 4, 5, 6, 7, 8]);
  const last = v6(44, [...fragHdr(UDP, 128, false, 9, 0, 0x6), 1, 2, 3, 4, 5, 6, 7, 8]);

  it('frag: id range, first, more, last, reserved; no Fragment header, no match', () => {
    expect(evaluate('-m frag --fragid 16909060', first)).toBe(true);
    expect(evaluate('-m frag ! --fragid 16909060', first)).toBe(false);
    expect(evaluate('-m frag --fragid 1:10', middle)).toBe(true);
    expect(evaluate('-m frag --fragfirst', first)).toBe(true);
    expect(evaluate('-m frag --fragfirst', middle)).toBe(false);
    expect(evaluate('-m frag --fragmore', middle)).toBe(true);
    expect(evaluate('-m frag --fraglast', middle)).toBe(false);
    expect(evaluate('-m frag --fraglast', last)).toBe(true);
    expect(evaluate('-m frag --fragres', middle)).toBe(true);
    expect(evaluate('-m frag --fragres', last)).toBe(false);
    // The length option is stored but not tested.
    expect(evaluate('-m frag --fraglen 99', first)).toBe(true);
    expect(evaluate('-m frag', v6(UDP, udp(1, 2)))).toBe(false);
  });

  // A type 0 routing header listing 2001:db8::a, 2001:db8::b, 2001:db8::c.
  const addr = (last: number) => [...be32(0x20010db8), ...be32(0), ...be32(0), ...be32(last)];
  const rt0 = (res: number) => [UDP, 6, 0, 2, ...be32(res), ...addr(10), ...addr(11), ...addr(12)];
  const routed = v6(43, [...rt0(0), ...udp(1, 2)]);

  it('rt: type, segments left, length in bytes, reserved word', () => {
    expect(evaluate('-m rt --rt-type 0', routed)).toBe(true);
    expect(evaluate('-m rt ! --rt-type 0', routed)).toBe(false);
    expect(evaluate('-m rt --rt-type 2', routed)).toBe(false);
    expect(evaluate('-m rt --rt-segsleft 2', routed)).toBe(true);
    expect(evaluate('-m rt --rt-segsleft 3:9', routed)).toBe(false);
    expect(evaluate('-m rt ! --rt-segsleft 3:9', routed)).toBe(true);
    expect(evaluate('-m rt --rt-len 56', routed)).toBe(true);
    expect(evaluate('-m rt --rt-len 6', routed)).toBe(false);
    expect(evaluate('-m rt --rt-type 0 --rt-0-res', routed)).toBe(true);
    expect(evaluate('-m rt --rt-type 0 --rt-0-res', v6(43, [...rt0(1), ...udp(1, 2)]))).toBe(false);
    expect(evaluate('-m rt', v6(UDP, udp(1, 2)))).toBe(false);
  });

  it('rt: type 0 addresses, strict (exactly, in order) and not strict (in order)', () => {
    const a = '2001:db8::a';
    const b = '2001:db8::b';
    const c = '2001:db8::c';
    expect(evaluate(`-m rt --rt-type 0 --rt-0-addrs ${a},${b},${c}`, routed)).toBe(true);
    expect(evaluate(`-m rt --rt-type 0 --rt-0-addrs ${a},${b}`, routed)).toBe(false);
    expect(evaluate(`-m rt --rt-type 0 --rt-0-addrs ${a},${c} --rt-0-not-strict`, routed)).toBe(true);
    expect(evaluate(`-m rt --rt-type 0 --rt-0-addrs ${c},${a} --rt-0-not-strict`, routed)).toBe(false);
    expect(evaluate(`-m rt --rt-type 0 --rt-0-addrs ${a},${b},${c},${a} --rt-0-not-strict`, routed)).toBe(
      false,
    );
  });

  it('rt: a routing header longer than the packet is no match; a cut header a drop', () => {
    // Length field claims 56 bytes, 16 present.
    const long = v6(43, [UDP, 6, 0, 2, 0, 0, 0, 0, ...udp(1, 2)]);
    expect(evaluate('-m rt', long)).toBe(false);
    // Only 3 bytes of the routing header: ipv6_find_hdr wants 4.
    const cut = v6(43, [UDP, 0, 0]);
    expect(evaluate('-m rt', cut)).toBe('hotdrop');
    expect(evaluate('-m frag', cut)).toBe('hotdrop');
    // Looking for a hop-by-hop header still walks through the cut routing header.
    expect(evaluate('-m hbh', cut)).toBe('hotdrop');
    expect(evaluate('-m hbh', v6(UDP, []))).toBe(false);
  });

  // Hop-by-hop: PadN(2), router alert (type 5, len 2) — 8 bytes.
  const hbh = v6(0, [...ext(60, [1, 0, 5, 2, 0, 0]), ...ext(UDP, [0xc2, 4, 0, 0, 0, 0]), ...udp(1, 2)]);

  it('hbh / dst: the first such header, its byte length and its leading options', () => {
    expect(evaluate('-m hbh', hbh)).toBe(true);
    expect(evaluate('-m hbh --hbh-len 8', hbh)).toBe(true);
    expect(evaluate('-m hbh ! --hbh-len 8', hbh)).toBe(false);
    expect(evaluate('-m hbh --hbh-opts 1:0,5:2', hbh)).toBe(true);
    expect(evaluate('-m hbh --hbh-opts 1,5', hbh)).toBe(true);
    expect(evaluate('-m hbh --hbh-opts 1:0', hbh)).toBe(true);
    // Options are a prefix test from the first: 5 alone is not the first option.
    expect(evaluate('-m hbh --hbh-opts 5:2', hbh)).toBe(false);
    expect(evaluate('-m hbh --hbh-opts 1:0,5:3', hbh)).toBe(false);
    // Running out of header before the last listed option: no match.
    expect(evaluate('-m hbh --hbh-opts 1:0,5:2,1,1', hbh)).toBe(false);
    expect(evaluate('-m dst --dst-opts 194:4', hbh)).toBe(true);
    expect(evaluate('-m dst --dst-len 8', hbh)).toBe(true);
    expect(evaluate('-m dst', v6(UDP, udp(1, 2)))).toBe(false);
    // A Pad1 (type 0) has no length byte.
    const pad1 = v6(0, [...ext(UDP, [0, 0, 1, 2, 0, 0]), ...udp(1, 2)]);
    expect(evaluate('-m hbh --hbh-opts 0,0,1:2', pad1)).toBe(true);
  });

  it('ipv6header: exact set, soft subset, and their negations', () => {
    expect(evaluate('-m ipv6header --header hop-by-hop,ipv6-opts,protocol', hbh)).toBe(true);
    expect(evaluate('-m ipv6header --header hop-by-hop,protocol', hbh)).toBe(false);
    expect(evaluate('-m ipv6header ! --header hop-by-hop,protocol', hbh)).toBe(true);
    expect(evaluate('-m ipv6header --header hop-by-hop --soft', hbh)).toBe(true);
    expect(evaluate('-m ipv6header --header hop-by-hop,ipv6-frag --soft', hbh)).toBe(false);
    // Soft and negated means: none of them present (not "some missing").
    expect(evaluate('-m ipv6header ! --header hop-by-hop,ipv6-frag --soft', hbh)).toBe(false);
    expect(evaluate('-m ipv6header ! --header ipv6-frag,ipv6-route --soft', hbh)).toBe(true);
    expect(evaluate('-m ipv6header --header ipv6-frag,protocol', first)).toBe(true);
    expect(evaluate('-m ipv6header --header esp', v6(ESP, espBodyV6()))).toBe(true);
    expect(evaluate('-m ipv6header --header ipv6-nonxt', v6(59, []))).toBe(true);
  });

  it('ipv6header reads past a non-first Fragment header as if the data were headers', () => {
    // Fragment data starting 0x3c 0x00 (looks like "next: dest opts, length 8") after a
    // later fragment whose next header is hop-by-hop: walked as hop-by-hop, then data.
    const p = v6(44, [...fragHdr(0, 8, false, 1), UDP, 0, 0, 0, 0, 0, 0, 0]);
    expect(evaluate('-m ipv6header --header ipv6-frag,hop-by-hop,protocol', p)).toBe(true);
  });

  it('ipv6header gives up (no match, even negated) on a cut header', () => {
    const cut = v6(0, [UDP]);
    expect(evaluate('-m ipv6header --header hop-by-hop --soft', cut)).toBe(false);
    expect(evaluate('-m ipv6header ! --header hop-by-hop --soft', cut)).toBe(false);
  });
});

function espBodyV6(): number[] {
  return [...be32(1), ...be32(1), 0, 0, 0, 0];
}

// --- addresses and link layer --------------------------------------------------------------------

describe('iprange, mac, pkttype', () => {
  const p4 = packetFrom('tcp 198.51.100.7:1 > 203.0.113.1:2 iif eth0');

  it('iprange: inclusive ranges with their own negation; from > to contains nothing', () => {
    expect(evaluate('-m iprange --src-range 198.51.100.1-198.51.100.7', p4)).toBe(true);
    expect(evaluate('-m iprange --src-range 198.51.100.8-198.51.100.255', p4)).toBe(false);
    expect(evaluate('-m iprange ! --src-range 198.51.100.8-198.51.100.255', p4)).toBe(true);
    expect(
      evaluate('-m iprange --src-range 0.0.0.0-255.255.255.255 --dst-range 203.0.113.1-203.0.113.1', p4),
    ).toBe(true);
    expect(evaluate('-m iprange --dst-range 203.0.113.9-203.0.113.1', p4)).toBe(false);
    expect(evaluate('-m iprange ! --dst-range 203.0.113.9-203.0.113.1', p4)).toBe(true);
    const p6 = packetFrom('tcp [2001:db8::7]:1 > [2001:db8::1]:2');
    expect(evaluate('-m iprange --src-range 2001:db8::-2001:db8::ffff', p6)).toBe(true);
    // Unsigned word comparison: 8000:: is above 2001:db8::.
    expect(evaluate('-m iprange --src-range 2001:db8::-8000::', p6)).toBe(true);
    expect(evaluate('-m iprange --src-range ::-2001:db8::6', p6)).toBe(false);
  });

  it('mac: the frame source; no Ethernet header never matches, even negated', () => {
    const mac = Uint8Array.from([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
    const withMac = packetFrom('tcp 198.51.100.7:1 > 203.0.113.1:2 iif eth0', { macSrc: mac });
    expect(evaluate('-m mac --mac-source 00:11:22:33:44:55', withMac)).toBe(true);
    expect(evaluate('-m mac --mac-source 00:11:22:33:44:56', withMac)).toBe(false);
    expect(evaluate('-m mac ! --mac-source 00:11:22:33:44:56', withMac)).toBe(true);
    expect(evaluate('-m mac ! --mac-source 00:11:22:33:44:55', p4)).toBe(false);
    expect(evaluate('-m mac --mac-source 00:11:22:33:44:55', p4)).toBe(false);
  });

  it('pkttype: by destination MAC for received frames', () => {
    const frame = (dst: number[]) =>
      packetFrom('udp 198.51.100.7:1 > 203.0.113.1:2 iif eth0', { macDst: Uint8Array.from(dst) });
    expect(evaluate('-m pkttype --pkt-type unicast', frame([0, 1, 2, 3, 4, 5]))).toBe(true);
    expect(evaluate('-m pkttype --pkt-type broadcast', frame([255, 255, 255, 255, 255, 255]))).toBe(true);
    expect(evaluate('-m pkttype --pkt-type multicast', frame([1, 0, 0x5e, 0, 0, 1]))).toBe(true);
    expect(evaluate('-m pkttype --pkt-type multicast', frame([255, 255, 255, 255, 255, 255]))).toBe(false);
    expect(evaluate('-m pkttype ! --pkt-type unicast', frame([1, 0, 0x5e, 0, 0, 1]))).toBe(true);
  });

  it('pkttype: without a frame, looped-back copies by destination; local output is host', () => {
    const noMac = (dst: number, iif: string | null) => v4(UDP, udp(1, 2), { dst }, { iif });
    expect(evaluate('-m pkttype --pkt-type multicast', noMac(0xe0000001, 'eth0'))).toBe(true);
    expect(evaluate('-m pkttype --pkt-type broadcast', noMac(0xffffffff, 'eth0'))).toBe(true);
    const host = { ...fakeContext(noMac(0, 'eth0')).host, addressType: () => 'broadcast' as const };
    expect(evaluate('-m pkttype --pkt-type broadcast', noMac(0xcb0071ff, 'eth0'), { host })).toBe(true);
    expect(evaluate('-m pkttype --pkt-type unicast', noMac(DST4, 'lo'))).toBe(true);
    // OUTPUT: a locally generated skb is PACKET_HOST whatever its destination.
    expect(evaluate('-m pkttype --pkt-type unicast', noMac(0xe0000001, null))).toBe(true);
    expect(evaluate('-m pkttype --pkt-type multicast', noMac(0xe0000001, null))).toBe(false);
    const mc6 = v6(UDP, udp(1, 2), { dst: [0xff020000, 0, 0, 1] });
    expect(evaluate('-m pkttype --pkt-type multicast', mc6)).toBe(true);
  });
});

// --- string ----------------------------------------------------------------------------------

describe('string (string_mt, skb_find_text, ts_bm / ts_kmp)', () => {
  const ascii = (s: string) => [...Buffer.from(s, 'latin1')];
  // 20 (IPv4) + 8 (UDP) header bytes, then the payload from offset 28.
  const http = v4(UDP, udp(1, 2, ascii('GET /index.html HTTP/1.1')));

  it('finds the pattern anywhere from --from, with either algorithm', () => {
    for (const algo of ['bm', 'kmp']) {
      expect(evaluate(`-m string --string "index" --algo ${algo}`, http)).toBe(true);
      expect(evaluate(`-m string --string "INDEX" --algo ${algo}`, http)).toBe(false);
      expect(evaluate(`-m string --string "INDEX" --algo ${algo} --icase`, http)).toBe(true);
      expect(evaluate(`-m string ! --string "index" --algo ${algo}`, http)).toBe(false);
      expect(evaluate(`-m string --hex-string "|c6336407|" --algo ${algo}`, http)).toBe(true);
    }
  });

  it('counts an occurrence only when it lies within [from, to)', () => {
    // "index" starts at offset 33 and ends at 38.
    for (const algo of ['bm', 'kmp']) {
      expect(evaluate(`-m string --string "index" --algo ${algo} --from 33`, http)).toBe(true);
      expect(evaluate(`-m string --string "index" --algo ${algo} --from 34`, http)).toBe(false);
      expect(evaluate(`-m string --string "index" --algo ${algo} --to 38`, http)).toBe(true);
      expect(evaluate(`-m string --string "index" --algo ${algo} --to 37`, http)).toBe(false);
      expect(evaluate(`-m string ! --string "index" --algo ${algo} --to 37`, http)).toBe(true);
      expect(evaluate(`-m string --string "index" --algo ${algo} --from 33 --to 33`, http)).toBe(false);
      expect(evaluate(`-m string --string "index" --algo ${algo} --from 60000`, http)).toBe(false);
    }
  });

  it('the first occurrence decides: one ending past --to hides none before it, but blocks later ones', () => {
    const twice = v4(UDP, udp(1, 2, ascii('abab')));
    // Occurrences of "ab" at 28 and 30; --to 29 admits neither.
    expect(evaluate('-m string --string "ab" --algo kmp --to 29', twice)).toBe(false);
    expect(evaluate('-m string --string "ab" --algo kmp --from 29 --to 32', twice)).toBe(true);
  });

  it('--icase uses the kernel toupper, Latin-1 included', () => {
    const latin = v4(UDP, udp(1, 2, [0x78, 0xe9, 0x78])); // x é x
    expect(evaluate('-m string --hex-string "|c9|" --algo kmp --icase', latin)).toBe(true);
    expect(evaluate('-m string --hex-string "|c9|" --algo kmp', latin)).toBe(false);
    // toupper(0xdf) is 0xbf and toupper(0xff) is 0xdf, applied to pattern and text alike: a ß
    // pattern also matches ¿, and ß and ÿ never match each other. 0xf7 (÷) is no letter.
    const odd = v4(UDP, udp(1, 2, [0xbf, 0xf7]));
    expect(evaluate('-m string --hex-string "|df|" --algo kmp --icase', odd)).toBe(true);
    expect(evaluate('-m string --hex-string "|df|" --algo kmp', odd)).toBe(false);
    expect(evaluate('-m string --hex-string "|d7|" --algo kmp --icase', odd)).toBe(false);
    const sz = v4(UDP, udp(1, 2, [0xdf]));
    expect(evaluate('-m string --hex-string "|df|" --algo kmp --icase', sz)).toBe(true);
    expect(evaluate('-m string --hex-string "|ff|" --algo kmp --icase', sz)).toBe(false);
    expect(evaluate('-m string --hex-string "|df|" --algo kmp --icase', v4(UDP, udp(1, 2, [0xff])))).toBe(
      false,
    );
  });

  it('Boyer-Moore --icase can miss what KMP finds (bad-character shift by the raw byte)', () => {
    // "ßx" after a ß: the mismatch at the first ß shifts by bad_shift[0xdf], which was never
    // set (the pattern byte is toupper(0xdf) = 0xbf, whose tolower is itself).
    const p = v4(UDP, udp(1, 2, [0x30, 0xdf, 0xdf, 0x78]));
    expect(evaluate('-m string --hex-string "|df|x" --algo kmp --icase --from 28', p)).toBe(true);
    expect(evaluate('-m string --hex-string "|df|x" --algo bm --icase --from 29', p)).toBe(false);
  });

  it('searches only the datagram, not bytes past the IP length', () => {
    const base = v4(UDP, udp(1, 2, ascii('abc')));
    const padded = new Uint8Array(base.bytes.length + 8);
    padded.set(base.bytes);
    padded.set(ascii('PADDING!'), base.bytes.length);
    const p = engine(padded, 'ipv4');
    expect(p.decoded.ipLength).toBe(base.bytes.length);
    expect(evaluate('-m string --string "PADDING" --algo kmp', p)).toBe(false);
    expect(evaluate('-m string --string "abc" --algo bm', p)).toBe(true);
  });
});

describe('comment', () => {
  it('always matches', () => {
    const p = packetFrom('tcp 198.51.100.7:1 > 203.0.113.1:2');
    expect(evaluate('-m comment --comment "hello"', p)).toBe(true);
  });
});
