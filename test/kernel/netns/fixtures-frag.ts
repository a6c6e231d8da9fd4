// Scenario sources for IPv4 fragments (frag-*), merged into make-fixtures.ts's list: conntrack's
// defragmentation in PREROUTING (nf_defrag_ipv4), reassembly (ip_defrag), the refragmentation of
// a reassembled datagram on output (ip_fragment), overlaps, duplicates, the reassembly timeout.
// The fragments are cut from real datagrams built here (header and checksum computed over the
// whole datagram), so the reassembled datagram is what the sender meant.

import type { TopologyDescription } from './host-json-from-netns.js';
import type { ReplaySettings } from './scenario.js';
import type { PacketSpec } from './trace-writer.js';

interface ScenarioSource {
  readonly host: TopologyDescription;
  readonly rules: string;
  readonly packets: readonly PacketSpec[];
  readonly settings?: ReplaySettings;
}

const ETH0 = '52:54:00:12:34:56'; // the host's uplink, 192.168.1.10/24
const ETH1 = '52:54:00:ab:cd:ef'; // a router's LAN side, 10.0.0.1/24
const GW = '02:00:5e:00:01:01'; // 192.168.1.1, the upstream router
const LAN20 = '02:00:00:00:00:20'; // 10.0.0.20 on the LAN

const HOST = '192.168.1.10';
const gateway = 'default via 192.168.1.1 dev eth0';
const gwNeigh = `192.168.1.1 lladdr ${GW} dev eth0 nud permanent`;

const router = (mtu0 = 1500, sysctl: Record<string, number> = {}): TopologyDescription => ({
  interfaces: [
    { name: 'eth0', mac: ETH0, mtu: mtu0, addrs: ['192.168.1.10/24'] },
    { name: 'eth1', mac: ETH1, mtu: 1500, addrs: ['10.0.0.1/24'] },
  ],
  routes: [gateway],
  neighbours: [gwNeigh],
  sysctl: { 'net.ipv4.ip_forward': 1, ...sysctl },
});

interface Party {
  readonly if: string;
  readonly srcMac: string;
  readonly dstMac: string;
  readonly ip: string;
}
const lan: Party = { if: 'eth1', srcMac: LAN20, dstMac: ETH1, ip: '10.0.0.20' };
const wan = (ip: string): Party => ({ if: 'eth0', srcMac: GW, dstMac: ETH0, ip });

// --- datagrams and their fragments -----------------------------------------------------------

const ipWords = (a: string) => a.split('.').map(Number);

function sum16(bytes: readonly number[] | Uint8Array, start = 0): number {
  let s = start;
  for (let i = 0; i < bytes.length; i += 2) s += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** A payload of `n` bytes that is easy to recognise in a hex dump. */
function filler(n: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (0x41 + ((i + seed) % 26)) & 0xff);
}

/** A UDP header and payload with the right checksum (over the whole datagram). */
function udpSegment(src: string, dst: string, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const len = 8 + payload.length;
  const b = new Uint8Array(len);
  b.set([sport >> 8, sport & 255, dport >> 8, dport & 255, len >> 8, len & 255, 0, 0]);
  b.set(payload, 8);
  const pseudo = [...ipWords(src), ...ipWords(dst), 0, 17, len >> 8, len & 255];
  const c = ~sum16(b, sum16(pseudo)) & 0xffff;
  b[6] = (c || 0xffff) >> 8;
  b[7] = (c || 0xffff) & 255;
  return b;
}

/** An ICMP echo request message (type 8) with the right checksum. */
function echoRequest(id: number, seq: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  b.set([8, 0, 0, 0, id >> 8, id & 255, seq >> 8, seq & 255]);
  b.set(payload, 8);
  const c = ~sum16(b) & 0xffff;
  b[2] = c >> 8;
  b[3] = c & 255;
  return b;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A piece of a datagram's payload: [offset, length) in bytes; MF unless it reaches the end. */
interface Piece {
  readonly off: number;
  readonly len: number;
  /** MF, when it differs from "does not reach the end" (a lying fragment). */
  readonly mf?: boolean;
  readonly df?: boolean;
  /** Other bytes than the datagram's (an overlap that disagrees). */
  readonly fill?: number;
}

/** The fragments of the IP payload `l4` from `from` to `dst`, in the order given. */
function fragments(
  from: Party,
  dst: string,
  protocol: number,
  l4: Uint8Array,
  ipId: number,
  pieces: readonly Piece[],
  extra: Partial<PacketSpec> = {},
): Omit<PacketSpec, 't'>[] {
  return pieces.map((p) => {
    const data =
      p.fill === undefined ? l4.subarray(p.off, p.off + p.len) : new Uint8Array(p.len).fill(p.fill);
    return {
      if: from.if,
      srcMac: from.srcMac,
      dstMac: from.dstMac,
      src: from.ip,
      dst,
      proto: protocol,
      payloadHex: hex(data),
      ipId,
      fragOffset: p.off / 8,
      moreFragments: p.mf ?? p.off + p.len < l4.length,
      ...(p.df ? { dontFragment: true } : {}),
      ...extra,
    };
  });
}

/** Cuts `total` bytes into pieces of `size` (a multiple of 8), in order. */
function cut(total: number, size: number): Piece[] {
  const out: Piece[] = [];
  for (let off = 0; off < total; off += size) out.push({ off, len: Math.min(size, total - off) });
  return out;
}

function timed(packets: readonly Omit<PacketSpec, 't'>[], step = 0.01): PacketSpec[] {
  return packets.map((p, i) => ({ ...p, t: i * step }) as PacketSpec);
}

const udpTo = (
  from: Party,
  dst: string,
  sport: number,
  dport: number,
  payload: string,
): Omit<PacketSpec, 't'> => ({
  if: from.if,
  srcMac: from.srcMac,
  dstMac: from.dstMac,
  src: from.ip,
  dst,
  proto: 'udp',
  sport,
  dport,
  payload,
});

// --- rulesets --------------------------------------------------------------------------------

/** Counting rules that show where fragments are seen: -f counts later fragments, -p the rest. */
const countingRaw = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -f
-A PREROUTING -p udp
-A PREROUTING -p icmp
COMMIT
`;
const countingMangle = `*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -f
-A POSTROUTING -p udp
-A POSTROUTING -p icmp
COMMIT
`;

const forwardRules = `${countingRaw}${countingMangle}*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -f -j DROP
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i eth1 -o eth0 -p udp -m udp --dport 53 -m conntrack --ctstate NEW -j ACCEPT
COMMIT
`;

const dnsQuery = udpSegment('10.0.0.20', '8.8.8.8', 5353, 53, filler(100));

const single = (sysctl: Record<string, number> = {}): TopologyDescription => ({
  interfaces: [{ name: 'eth0', mac: ETH0, mtu: 1500, addrs: ['192.168.1.10/24'] }],
  routes: [gateway],
  neighbours: [gwNeigh],
  listeners: [{ protocol: 'udp', port: 7000 }],
  ...(Object.keys(sysctl).length > 0 ? { sysctl } : {}),
});

const localRules = `${countingRaw}*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -f -j DROP
-A INPUT -p icmp -m conntrack --ctstate NEW
-A INPUT -p udp -m conntrack --ctstate NEW
COMMIT
`;

const client = wan('203.0.113.7');
const toHost = (dport: number, payload: Uint8Array) => udpSegment(client.ip, HOST, 40000, dport, payload);

const masqRules = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
${countingMangle}*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -f -j DROP
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i eth1 -o eth0 -j ACCEPT
COMMIT
`;

const dnsAnswer = udpSegment('8.8.8.8', HOST, 53, 5353, filler(150, 7));
const big = udpSegment('10.0.0.20', '8.8.8.8', 5354, 53, filler(1592));
const bigDf = udpSegment('10.0.0.20', '8.8.8.8', 5355, 53, filler(1592, 3));
const smallDf = udpSegment('10.0.0.20', '8.8.8.8', 5356, 53, filler(100, 5));

export const FRAG_SCENARIOS: Readonly<Record<string, ScenarioSource>> = {
  'frag-forward-udp': {
    host: router(),
    rules: forwardRules,
    settings: {
      description:
        'a UDP datagram in 3 fragments forwarded: conntrack reassembles it before raw PREROUTING (-f counts 0, the datagram counts once with its whole length), FORWARD accepts it as NEW, and it leaves eth0 as the same 3 fragments (TTL 63, same id)',
    },
    packets: timed(fragments(lan, '8.8.8.8', 17, dnsQuery, 0x1234, cut(dnsQuery.length, 48))),
  },
  'frag-forward-untracked': {
    host: router(),
    rules: `${countingRaw}*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -f
-A FORWARD -p udp
-A INPUT -f
-A INPUT -p udp
COMMIT
`,
    settings: {
      description:
        'no rule needs conntrack, so nf_defrag_ipv4 is not registered: forwarded fragments go through PREROUTING and FORWARD one by one (-f counts 2) and leave as they came; fragments to the host are reassembled by ip_local_deliver after PREROUTING (raw -f counts them) and before INPUT (INPUT -f counts 0), and the datagram is answered with a port unreachable',
    },
    packets: timed([
      ...fragments(lan, '8.8.8.8', 17, dnsQuery, 0x1235, cut(dnsQuery.length, 48)),
      ...fragments(lan, HOST, 17, udpSegment('10.0.0.20', HOST, 5353, 6000, filler(60)), 0x1236, cut(68, 32)),
    ]),
  },
  'frag-out-of-order': {
    host: router(),
    rules: forwardRules,
    settings: {
      description:
        "fragments arriving out of order (last first; then middle, last, first) are reassembled from the first fragment's header and leave in offset order with their original sizes (64, 32 and 12 bytes of data: the frag_list fast path of ip_do_fragment, not MTU-sized pieces)",
    },
    packets: timed([
      ...fragments(lan, '8.8.8.8', 17, dnsQuery, 0x2001, [
        { off: 96, len: 12 },
        { off: 0, len: 64 },
        { off: 64, len: 32 },
      ]),
      ...fragments(lan, '8.8.8.8', 17, dnsQuery, 0x2002, [
        { off: 48, len: 48 },
        { off: 96, len: 12 },
        { off: 0, len: 48 },
      ]),
    ]),
  },
  'frag-forward-masquerade': {
    host: router(),
    rules: masqRules,
    settings: {
      description:
        'a fragmented UDP query MASQUERADEd out of eth0: NAT rewrites the reassembled datagram (source 192.168.1.10, UDP checksum in the first fragment), which leaves as 3 fragments with the new source; the fragmented answer is reassembled, de-NATed to 10.0.0.20 and leaves eth1 as 4 fragments',
    },
    packets: timed([
      ...fragments(lan, '8.8.8.8', 17, dnsQuery, 0x3001, cut(dnsQuery.length, 48)),
      ...fragments(wan('8.8.8.8'), HOST, 17, dnsAnswer, 0x4001, cut(dnsAnswer.length, 40)),
    ]),
  },
  'frag-local-delivery': {
    host: single(),
    rules: localRules,
    settings: {
      description:
        'fragmented datagrams to the host: an ICMP echo request in 3 fragments is reassembled and answered, a UDP datagram to a listener is delivered, one to a closed port is answered with a port unreachable quoting the reassembled datagram; every rule counts each datagram once, -f never',
    },
    packets: timed([
      ...fragments(client, HOST, 1, echoRequest(0x77, 1, filler(72)), 0x5001, cut(80, 32)),
      ...fragments(client, HOST, 17, toHost(7000, filler(90)), 0x5002, cut(98, 40)),
      ...fragments(client, HOST, 17, toHost(6000, filler(90, 2)), 0x5003, cut(98, 40)),
    ]),
  },
  'frag-overlap': {
    host: single(),
    rules: localRules,
    settings: {
      description:
        'overlaps and duplicates: a fragment overlapping another drops its whole datagram (id 1; id 4 at the tail), and the rest that arrives later waits in a new queue; an exact duplicate (id 2) and a fragment inside what is held (id 3) are dropped alone and their datagrams complete (port unreachable each)',
    },
    packets: timed([
      ...fragments(client, HOST, 17, toHost(6001, filler(100)), 1, [
        { off: 0, len: 48 },
        { off: 40, len: 48 },
        { off: 48, len: 60 },
      ]),
      ...fragments(client, HOST, 17, toHost(6002, filler(100)), 2, [
        { off: 0, len: 48 },
        { off: 0, len: 48 },
        { off: 48, len: 60 },
      ]),
      ...fragments(client, HOST, 17, toHost(6003, filler(100)), 3, [
        { off: 0, len: 48 },
        { off: 48, len: 48 },
        { off: 16, len: 24 },
        { off: 96, len: 12 },
      ]),
      ...fragments(client, HOST, 17, toHost(6004, filler(100)), 4, [
        { off: 0, len: 48 },
        { off: 40, len: 68 },
        { off: 48, len: 60 },
      ]),
    ]),
  },
  'frag-timeout-gap': {
    host: router(1500, { 'net.ipv4.ipfrag_time': 1 }),
    rules: forwardRules.replace(
      '-A FORWARD -f -j DROP\n',
      '-A FORWARD -f -j DROP\n-A INPUT -p udp -m conntrack --ctstate NEW\n',
    ),
    settings: {
      gaps: true,
      description:
        "ipfrag_time=1: a lone first fragment to the host expires and the host sends ICMP time exceeded (fragment reassembly) quoting it; a lone first fragment being forwarded and a lone later fragment expire silently (conntrack's queue for another host; no first fragment); the rest of the first datagram arriving late starts a new queue; a whole datagram still gets its port unreachable",
    },
    packets: [
      ...fragments(client, HOST, 17, toHost(6000, filler(100)), 10, [{ off: 0, len: 48 }]).map((p) => ({
        ...p,
        t: 0,
      })),
      ...fragments(lan, '8.8.8.8', 17, dnsQuery, 11, [{ off: 0, len: 48 }]).map((p) => ({ ...p, t: 0.1 })),
      ...fragments(client, HOST, 17, toHost(6000, filler(100, 1)), 12, [{ off: 48, len: 60 }]).map((p) => ({
        ...p,
        t: 0.2,
      })),
      ...fragments(client, HOST, 17, toHost(6000, filler(100)), 10, [{ off: 48, len: 60 }]).map((p) => ({
        ...p,
        t: 1.6,
      })),
      { ...udpTo(client, HOST, 40001, 6000, 'whole'), t: 1.7 },
    ],
  },
  'frag-df-mtu': {
    host: router(1280),
    rules: forwardRules,
    settings: {
      description:
        "eth0's MTU is 1280: a datagram that came in 1500-byte fragments leaves in pieces of at most 1280 (ip_do_fragment's slow path); one whose fragments had DF gets fragmentation needed (MTU 1280) before FORWARD; small DF fragments leave as they came, without DF (fast path); a whole 1428-byte datagram is fragmented, with DF refused",
    },
    packets: timed([
      ...fragments(lan, '8.8.8.8', 17, big, 0x6001, [
        { off: 0, len: 1480 },
        { off: 1480, len: big.length - 1480 },
      ]),
      ...fragments(lan, '8.8.8.8', 17, bigDf, 0x6002, [
        { off: 0, len: 1480, df: true },
        { off: 1480, len: bigDf.length - 1480, df: true },
      ]),
      ...fragments(
        lan,
        '8.8.8.8',
        17,
        smallDf,
        0x6003,
        cut(smallDf.length, 48).map((p) => ({ ...p, df: true })),
      ),
      udpTo(lan, '8.8.8.8', 5357, 53, 'x'.repeat(1400)),
      { ...udpTo(lan, '8.8.8.8', 5358, 53, 'y'.repeat(1400)), dontFragment: true },
    ]),
  },
};
