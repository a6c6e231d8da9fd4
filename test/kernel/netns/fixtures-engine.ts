// Scenario sources for the reference engine's own features (engine-*), merged into
// make-fixtures.ts's list: locally generated traffic (trace interface `@local`), bridged traffic
// through br_netfilter, the kernel's own ICMP, and the mangle targets.

import type { TopologyDescription } from './host-json-from-netns.js';
import type { ReplaySettings } from './scenario.js';
import type { PacketSpec } from './trace-writer.js';

interface ScenarioSource {
  readonly host: TopologyDescription;
  readonly rules: string;
  readonly packets: readonly PacketSpec[];
  readonly settings?: ReplaySettings;
}

const ETH0 = '52:54:00:12:34:56'; // 192.168.1.10/24
const ETH1 = '52:54:00:ab:cd:ef'; // 10.0.0.1/24
const GW = '02:00:5e:00:01:01'; // 192.168.1.1
const DOCKER0 = '02:42:8e:6f:1a:01';
const C2 = '02:42:ac:11:00:02';
const C3 = '02:42:ac:11:00:03';
const C4 = '02:42:ac:11:00:04';
const LAN20 = '02:00:00:00:00:20';
const LAN21 = '02:00:00:00:00:21';
const WAN50 = '02:00:00:00:00:50';
const NOMAC = '00:00:00:00:00:00'; // @local packets: the Ethernet header is ignored

const uplink = { name: 'eth0', mac: ETH0, mtu: 1500, addrs: ['192.168.1.10/24'] };
const gateway = 'default via 192.168.1.1 dev eth0';
const gwNeigh = `192.168.1.1 lladdr ${GW} dev eth0 nud permanent`;

const threePortBridge = (sysctl: Record<string, number>): TopologyDescription => ({
  interfaces: [
    uplink,
    { name: 'veth1a2b3c4', mac: '6a:1f:00:00:00:02', master: 'docker0' },
    { name: 'veth5d6e7f8', mac: '6a:1f:00:00:00:03', master: 'docker0' },
    { name: 'veth9c0ffee', mac: '6a:1f:00:00:00:04', master: 'docker0' },
  ],
  bridges: [{ name: 'docker0', mac: DOCKER0, addrs: ['172.17.0.1/16'] }],
  routes: [gateway],
  neighbours: [gwNeigh],
  sysctl: { 'net.ipv4.ip_forward': 1, ...sysctl },
});

const router = (mtu1: number, extraRoutes: string[] = []): TopologyDescription => ({
  interfaces: [uplink, { name: 'eth1', mac: ETH1, mtu: mtu1, addrs: ['10.0.0.1/24'] }],
  routes: [gateway, ...extraRoutes],
  neighbours: [gwNeigh],
  sysctl: { 'net.ipv4.ip_forward': 1 },
});

const local = { if: '@local', srcMac: NOMAC, dstMac: NOMAC };
const c2 = { if: 'veth1a2b3c4', srcMac: C2, src: '172.17.0.2' };
const c3 = { if: 'veth5d6e7f8', srcMac: C3, src: '172.17.0.3' };
const fromLan = { if: 'eth1', srcMac: LAN20, dstMac: ETH1, src: '10.0.0.20' };
const fromWan = { if: 'eth0', srcMac: WAN50, dstMac: ETH0, src: '192.168.1.50' };

const bridgeRules = `*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i docker0 -m physdev --physdev-in veth1a2b3c4
-A PREROUTING -i docker0
-A POSTROUTING -o docker0 -m physdev --physdev-out veth5d6e7f8
-A POSTROUTING -o docker0 -m physdev --physdev-out veth9c0ffee
-A POSTROUTING -o docker0 -m physdev --physdev-is-bridged
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i docker0 -m physdev --physdev-in veth1a2b3c4
-A INPUT -i docker0
-A FORWARD -p udp -m physdev --physdev-out veth9c0ffee -j DROP
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
COMMIT
`;

const bridgePackets: PacketSpec[] = [
  // C2 → C3: C3 has not been heard from, so the SYN is flooded (to veth5d6e7f8 and veth9c0ffee).
  { ...c2, proto: 'tcp', t: 0, dstMac: C3, dst: '172.17.0.3', sport: 40000, dport: 5432, flags: 'S', seq: 1 },
  // C3 answers: C2 is known, one copy.
  {
    ...c3,
    proto: 'tcp',
    t: 0.002,
    dstMac: C2,
    dst: '172.17.0.2',
    sport: 5432,
    dport: 40000,
    flags: 'SA',
    seq: 70,
    ack: 2,
  },
  {
    ...c2,
    proto: 'tcp',
    t: 0.004,
    dstMac: C3,
    dst: '172.17.0.3',
    sport: 40000,
    dport: 5432,
    flags: 'A',
    seq: 2,
    ack: 71,
  },
  // To a station nobody has heard from: flooded; the copy for veth9c0ffee is dropped in FORWARD.
  { ...c2, proto: 'udp', t: 0.006, dstMac: C4, dst: '172.17.0.4', sport: 5000, dport: 53, payload: 'q' },
  // A broadcast: flooded to both other ports, and up to the host (INPUT).
  {
    ...c2,
    proto: 'udp',
    t: 0.008,
    dstMac: 'ff:ff:ff:ff:ff:ff',
    dst: '172.17.255.255',
    sport: 5001,
    dport: 6000,
    payload: 'b',
  },
  // To the host itself (the bridge's MAC): PREROUTING once, INPUT with physdev-in.
  { ...c3, proto: 'icmp', t: 0.01, dstMac: DOCKER0, dst: '172.17.0.1', icmpType: 8 },
  // Back to the port it came from (C2 sends to C3's MAC from veth5d6e7f8's side? no: C3 to itself).
  { ...c3, proto: 'udp', t: 0.012, dstMac: C3, dst: '172.17.0.3', sport: 1, dport: 2, payload: 'x' },
];

export const ENGINE_SCENARIOS: Record<string, ScenarioSource> = {
  // Packets the host sends itself: Docker's OUTPUT DNAT for published ports (--dst-type LOCAL),
  // ordinary output, and local traffic looping back through lo (INPUT, the kernel's answers).
  'engine-local-output': {
    host: {
      interfaces: [uplink, { name: 'veth1a2b3c4', mac: '6a:1f:00:00:00:02', master: 'docker0' }],
      bridges: [{ name: 'docker0', mac: DOCKER0, addrs: ['172.17.0.1/16'] }],
      routes: [gateway],
      neighbours: [gwNeigh],
      sysctl: { 'net.ipv4.ip_forward': 1, 'net.bridge.bridge-nf-call-iptables': 1 },
    },
    rules: `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A POSTROUTING -o lo
-A DOCKER -i docker0 -j RETURN
-A DOCKER -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.2:8080
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -p icmp -j ACCEPT
-A INPUT -i lo -p udp -j ACCEPT
-A INPUT -i lo
-A INPUT -i docker0 -p tcp -m tcp --sport 8080
-A OUTPUT -o lo -p icmp
-A OUTPUT -o lo
-A OUTPUT -o docker0 -p tcp -m tcp --dport 8080 -j ACCEPT
-A OUTPUT -o eth0 -p tcp -m tcp --dport 443 -j ACCEPT
-A OUTPUT -p tcp -m tcp --dport 444 -j REJECT --reject-with tcp-reset
COMMIT
`,
    settings: { description: '@local packets: OUTPUT DNAT to a container, output to the world, loopback' },
    packets: [
      {
        ...local,
        proto: 'tcp',
        t: 0,
        src: '192.168.1.10',
        dst: '192.168.1.10',
        sport: 50000,
        dport: 80,
        flags: 'S',
        seq: 1,
        ipId: 11,
      },
      {
        ...local,
        proto: 'tcp',
        t: 0.002,
        src: '192.168.1.10',
        dst: '198.51.100.20',
        sport: 50001,
        dport: 443,
        flags: 'S',
        seq: 2,
        ipId: 12,
      },
      {
        ...local,
        proto: 'udp',
        t: 0.004,
        src: '192.168.1.10',
        dst: '192.168.1.10',
        sport: 5353,
        dport: 9999,
        payload: 'u',
        ipId: 13,
      },
      { ...local, proto: 'icmp', t: 0.006, src: '192.168.1.10', dst: '192.168.1.10', icmpType: 8, ipId: 14 },
      { ...local, proto: 'icmp', t: 0.008, src: '127.0.0.1', dst: '127.0.0.1', icmpType: 8, id: 7, ipId: 15 },
      {
        ...local,
        proto: 'tcp',
        t: 0.01,
        src: '127.0.0.1',
        dst: '127.0.0.1',
        sport: 50002,
        dport: 80,
        flags: 'S',
        seq: 3,
        ipId: 16,
      },
      {
        ...local,
        proto: 'tcp',
        t: 0.012,
        src: '192.168.1.10',
        dst: '198.51.100.20',
        sport: 50003,
        dport: 444,
        flags: 'S',
        seq: 4,
        ipId: 17,
      },
      // The container answers the DNATed SYN: un-DNATed to 192.168.1.10:80 → 192.168.1.10:50000.
      {
        ...c2,
        dstMac: DOCKER0,
        proto: 'tcp',
        t: 0.014,
        dst: '192.168.1.10',
        sport: 8080,
        dport: 50000,
        flags: 'SA',
        seq: 900,
        ack: 2,
      },
    ],
  },
  // Container to container on docker0 through br_netfilter: learning, flooding, FORWARD per copy.
  'engine-bridge': {
    host: threePortBridge({ 'net.bridge.bridge-nf-call-iptables': 1 }),
    rules: bridgeRules,
    settings: { description: 'br_netfilter: -i docker0 -o docker0, physdev, FDB learning and flooding' },
    packets: bridgePackets,
  },
  // The same frames with bridge-nf-call-iptables=0: iptables sees only what goes up to IP.
  'engine-bridge-nf-off': {
    host: threePortBridge({ 'net.bridge.bridge-nf-call-iptables': 0 }),
    rules: bridgeRules,
    settings: { description: 'bridge-nf-call-iptables=0: bridged frames bypass iptables' },
    packets: bridgePackets,
  },
  // The kernel's own ICMP: echo replies, time exceeded (with its rate limit), unreachable routes,
  // protocol unreachable.
  'engine-kernel-icmp': {
    host: router(1500, ['unreachable 198.18.0.0/15', 'prohibit 203.0.113.0/24', 'blackhole 198.51.100.0/24']),
    rules: `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p icmp -m icmp --icmp-type 8
-A INPUT -p 253
-A OUTPUT -p icmp -m icmp --icmp-type 0 -m conntrack --ctstate ESTABLISHED
-A OUTPUT -p icmp -m icmp --icmp-type 11 -m conntrack --ctstate RELATED
-A OUTPUT -p icmp -m icmp --icmp-type 3/2
-A OUTPUT -p icmp -m icmp --icmp-type 3/1
-A OUTPUT -p icmp -m icmp --icmp-type 3/13
-A OUTPUT -p icmp
COMMIT
`,
    settings: {
      description:
        'echo reply, time exceeded (rate-limited after 6), host unreachable, prohibited, protocol unreachable',
    },
    packets: [
      { ...fromWan, proto: 'icmp', t: 0, dst: '192.168.1.10', icmpType: 8, id: 99, payload: 'ping-payload' },
      { ...fromWan, proto: 253, t: 0.002, dst: '192.168.1.10', payload: 'experimental' },
      { ...fromLan, proto: 'tcp', t: 0.004, dst: '198.18.0.5', sport: 40000, dport: 80, flags: 'S', seq: 5 },
      { ...fromLan, proto: 'tcp', t: 0.006, dst: '203.0.113.9', sport: 40001, dport: 80, flags: 'S', seq: 6 },
      { ...fromLan, proto: 'udp', t: 0.008, dst: '198.51.100.9', sport: 40002, dport: 53, payload: 'hole' },
      // Eight expiring packets from one sender: six time-exceeded, then icmp_ratelimit.
      ...[0, 1, 2, 3, 4, 5, 6, 7].map(
        (i): PacketSpec => ({
          if: 'eth1',
          srcMac: LAN21,
          dstMac: ETH1,
          src: '10.0.0.21',
          proto: 'udp',
          t: 0.01 + i * 0.002,
          dst: '8.8.8.8',
          sport: 33434 + i,
          dport: 33434,
          ttl: 1,
          payload: 'traceroute',
        }),
      ),
      { ...fromLan, proto: 'icmp', t: 0.03, dst: '8.8.8.8', icmpType: 8, ttl: 1, id: 5 },
    ],
  },
  // The mangle targets on forwarded packets: TTL, TOS, DSCP, TCPMSS (set and clamp to PMTU).
  'engine-mangle': {
    host: router(1400),
    rules: `*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A FORWARD -p udp -m udp --dport 1000 -j TTL --ttl-set 5
-A FORWARD -p udp -m udp --dport 1001 -j TTL --ttl-inc 3
-A FORWARD -p udp -m udp --dport 1002 -j TTL --ttl-dec 100
-A FORWARD -p udp -m udp --dport 1003 -j TOS --set-tos 0x10
-A FORWARD -p udp -m udp --dport 1004 -j DSCP --set-dscp 0x2e
-A FORWARD -p udp -m udp --dport 1005 -j TOS --set-tos 0xff/0x3f
-A FORWARD -p tcp -m tcp --dport 25 --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 400
-A FORWARD -p tcp -m tcp --dport 443 --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
-A POSTROUTING -m ttl --ttl-eq 5
-A POSTROUTING -m tos --tos 0x10
-A POSTROUTING -m dscp --dscp 0x2e
COMMIT
`,
    settings: { description: 'TTL, TOS, DSCP and TCPMSS rewrites, byte for byte' },
    packets: [
      ...[1000, 1001, 1002, 1003, 1004, 1005].map(
        (dport, i): PacketSpec => ({
          ...fromWan,
          proto: 'udp',
          t: i * 0.002,
          dst: '10.0.0.20',
          sport: 7000 + i,
          dport,
          payload: 'm',
        }),
      ),
      { ...fromWan, proto: 'tcp', t: 0.02, dst: '10.0.0.20', sport: 7100, dport: 25, flags: 'S', seq: 10 },
      { ...fromWan, proto: 'tcp', t: 0.022, dst: '10.0.0.20', sport: 7101, dport: 443, flags: 'S', seq: 11 },
      {
        ...fromLan,
        dstMac: ETH1,
        proto: 'tcp',
        t: 0.024,
        dst: '192.168.1.50',
        sport: 7102,
        dport: 443,
        flags: 'S',
        seq: 12,
      },
    ],
  },
  'engine-connlimit': {
    host: router(1500),
    rules: `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -p tcp -m tcp --dport 80 --tcp-flags SYN,RST,ACK SYN -m connlimit --connlimit-above 2 --connlimit-mask 32 --connlimit-saddr -j REJECT --reject-with tcp-reset
-A FORWARD -p tcp -m tcp --dport 80 -m connlimit --connlimit-upto 2 --connlimit-mask 24 --connlimit-saddr
-A FORWARD -p tcp -m tcp --sport 80 -m connlimit --connlimit-upto 1 --connlimit-mask 24 --connlimit-saddr
-A FORWARD -p tcp -m tcp --dport 81 --tcp-flags SYN,RST,ACK SYN -m connlimit --connlimit-upto 3 --connlimit-mask 32 --connlimit-saddr
-A FORWARD -p tcp -m tcp --dport 82 -m connlimit --connlimit-above 5 --connlimit-mask 32 --connlimit-daddr
-A FORWARD -p udp -m connlimit --connlimit-above 1 --connlimit-mask 32 --connlimit-daddr
-A FORWARD -p icmp -m connlimit --connlimit-upto 1 --connlimit-mask 32 --connlimit-saddr
-A FORWARD -m conntrack --ctstate INVALID -m connlimit --connlimit-above 0 --connlimit-mask 32 --connlimit-saddr
COMMIT
`,
    settings: {
      gaps: true,
      description:
        "connlimit (nf_conncount): a LAN client past two TCP connections is reset until a RST closes one; an established connection's packets add nothing but prune the list, a reply's before the handshake completes walks it; twelve closed connections pruned in one walk; UDP, ICMP, and an invalid packet counted on its own tuple",
    },
    packets: (() => {
      const lan20 = { ...fromLan, dst: '192.168.1.50' };
      const lan21 = { ...fromLan, srcMac: LAN21, src: '10.0.0.21', dst: '192.168.1.50' };
      const out: PacketSpec[] = [];
      // 20 ms apart: every packet in a jiffy of its own (HZ 100 or more), as nf_conncount's
      // once-a-jiffy pruning and its same-jiffy shortcut depend on jiffies.
      let t = 0;
      const at = () => (t += 0.02);
      // Three SYNs from 10.0.0.20: the third is reset (three connections > 2).
      for (const sport of [6000, 6001, 6002])
        out.push({ ...lan20, proto: 'tcp', t: at(), sport, dport: 80, flags: 'S', seq: 100 });
      // The server answers the first two (its /24's list starts with the first, then only
      // prunes); the client acknowledges.
      for (const sport of [6000, 6001]) {
        out.push({
          ...fromWan,
          proto: 'tcp',
          t: at(),
          dst: '10.0.0.20',
          sport: 80,
          dport: sport,
          flags: 'SA',
          seq: 500,
          ack: 101,
        });
        out.push({ ...lan20, proto: 'tcp', t: at(), sport, dport: 80, flags: 'A', seq: 101, ack: 501 });
      }
      // Another client of the /24, then a RST closing 6000 (CLOSE leaves the count): a new SYN
      // from 10.0.0.20 is let through, the next one reset.
      out.push({ ...lan21, proto: 'tcp', t: at(), sport: 6100, dport: 80, flags: 'S', seq: 100 });
      out.push({ ...lan20, proto: 'tcp', t: at(), sport: 6000, dport: 80, flags: 'R', seq: 101 });
      out.push({ ...lan20, proto: 'tcp', t: at(), sport: 6003, dport: 80, flags: 'S', seq: 100 });
      out.push({ ...lan20, proto: 'tcp', t: at(), sport: 6004, dport: 80, flags: 'S', seq: 100 });
      // Twelve connections to port 81 (listed by the --syn rule), all closed by RSTs it does not
      // see, then one more SYN: one walk prunes all twelve.
      for (let i = 0; i < 12; i++) {
        const sport = 8000 + i;
        out.push({ ...lan21, proto: 'tcp', t: at(), sport, dport: 81, flags: 'S', seq: 100 });
        out.push({
          ...fromWan,
          proto: 'tcp',
          t: at(),
          dst: '10.0.0.21',
          sport: 81,
          dport: sport,
          flags: 'SA',
          seq: 500,
          ack: 101,
        });
      }
      for (let i = 0; i < 12; i++)
        out.push({ ...lan21, proto: 'tcp', t: at(), sport: 8000 + i, dport: 81, flags: 'R', seq: 101 });
      out.push({ ...lan21, proto: 'tcp', t: at(), sport: 8100, dport: 81, flags: 'S', seq: 100 });
      // Port 82: a connection alone in its destination's list, then two RSTs: without a reply
      // seen they are not ESTABLISHED, so they walk the list and find their own tuple (count 1).
      for (const [flags, seq] of [
        ['S', 100],
        ['R', 101],
        ['R', 101],
      ] as const)
        out.push({
          ...lan20,
          proto: 'tcp',
          t: at(),
          dst: '192.168.1.60',
          sport: 6300,
          dport: 82,
          flags,
          seq,
        });
      // UDP to one destination from two clients; pings of two ids and a reply.
      out.push({ ...lan20, proto: 'udp', t: at(), sport: 7000, dport: 53, payload: 'q' });
      out.push({ ...lan21, proto: 'udp', t: at(), sport: 7001, dport: 53, payload: 'q' });
      out.push({ ...lan20, proto: 'udp', t: at(), sport: 7000, dport: 53, payload: 'q' });
      out.push({ ...lan20, proto: 'icmp', t: at(), icmpType: 8, id: 7 });
      out.push({ ...lan20, proto: 'icmp', t: at(), icmpType: 8, id: 8 });
      out.push({ ...fromWan, proto: 'icmp', t: at(), dst: '10.0.0.20', icmpType: 0, id: 7 });
      // SYN+FIN: conntrack finds it invalid.
      out.push({ ...lan21, proto: 'tcp', t: at(), sport: 6200, dport: 80, flags: 'SF', seq: 100 });
      return out;
    })(),
  },
  'engine-rpfilter': {
    host: router(1500),
    rules: `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -m rpfilter
-A PREROUTING -m rpfilter --loose
-A PREROUTING -m rpfilter --accept-local
-A PREROUTING -m rpfilter --loose --accept-local
-A PREROUTING -m rpfilter --validmark
-A PREROUTING -m rpfilter --invert -j DROP
COMMIT
`,
    settings: {
      description:
        'rpfilter, strict and loose, with --accept-local: sources whose route back leaves by the input device, by another one, by none, or is local; the 0.0.0.0 special cases',
    },
    packets: [
      // Route back by the input device (default route on eth0, connected 10.0.0.0/24 on eth1).
      {
        ...fromWan,
        proto: 'udp',
        t: 0,
        src: '8.8.8.8',
        dst: '10.0.0.20',
        sport: 5000,
        dport: 53,
        payload: 'q',
      },
      { ...fromLan, proto: 'udp', t: 0.002, dst: '8.8.8.8', sport: 5001, dport: 53, payload: 'q' },
      // Route back by the other device: strict fails, loose passes.
      {
        ...fromWan,
        proto: 'udp',
        t: 0.004,
        src: '10.0.0.5',
        dst: '10.0.0.20',
        sport: 5002,
        dport: 53,
        payload: 'q',
      },
      {
        ...fromLan,
        proto: 'udp',
        t: 0.006,
        src: '8.8.8.8',
        dst: '192.168.1.50',
        sport: 5003,
        dport: 53,
        payload: 'q',
      },
      // The host's own addresses as sources: local routes (eth0's, lo's), only with --accept-local.
      {
        ...fromWan,
        proto: 'udp',
        t: 0.008,
        src: '192.168.1.10',
        dst: '192.168.1.50',
        sport: 5004,
        dport: 53,
        payload: 'q',
      },
      {
        ...fromLan,
        proto: 'udp',
        t: 0.01,
        src: '192.168.1.10',
        dst: '10.0.0.30',
        sport: 5005,
        dport: 53,
        payload: 'q',
      },
      {
        ...fromLan,
        proto: 'udp',
        t: 0.012,
        src: '10.0.0.1',
        dst: '10.0.0.30',
        sport: 5006,
        dport: 53,
        payload: 'q',
      },
      // 0.0.0.0 to the broadcast address and to local multicast pass whatever the routes; to a
      // unicast address the lookup of 0.0.0.0 runs (the default route).
      {
        ...fromWan,
        dstMac: 'ff:ff:ff:ff:ff:ff',
        proto: 'udp',
        t: 0.014,
        src: '0.0.0.0',
        dst: '255.255.255.255',
        sport: 68,
        dport: 67,
        payload: 'd',
      },
      {
        ...fromLan,
        dstMac: '01:00:5e:00:00:fb',
        proto: 'udp',
        t: 0.016,
        src: '0.0.0.0',
        dst: '224.0.0.251',
        sport: 5353,
        dport: 5353,
        payload: 'm',
      },
      {
        ...fromLan,
        proto: 'udp',
        t: 0.018,
        src: '0.0.0.0',
        dst: '10.0.0.1',
        sport: 5007,
        dport: 53,
        payload: 'q',
      },
      {
        ...fromWan,
        proto: 'udp',
        t: 0.02,
        src: '0.0.0.0',
        dst: '10.0.0.20',
        sport: 5008,
        dport: 53,
        payload: 'q',
      },
    ],
  },
  'engine-default-ttl': {
    host: {
      ...router(1500),
      sysctl: { 'net.ipv4.ip_forward': 1, 'net.ipv4.ip_default_ttl': 99 },
      listeners: [{ protocol: 'tcp', port: 8022 }],
    },
    rules: `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset
-A INPUT -p udp -m udp --dport 69 -j REJECT
-A FORWARD -p tcp -m tcp --dport 25 -j REJECT --reject-with tcp-reset
-A FORWARD -p udp -m udp --dport 70 -j REJECT --reject-with icmp-host-prohibited
-A OUTPUT -m ttl --ttl-eq 99
-A OUTPUT -m ttl --ttl-eq 64
COMMIT
`,
    settings: {
      description:
        'net.ipv4.ip_default_ttl 99: the TTL of what the host sends itself — REJECT replies (tcp-reset, port unreachable, host prohibited), its RST and port unreachable for closed ports, a listener SYN-ACK, echo replies, time exceeded',
    },
    packets: [
      { ...fromWan, proto: 'tcp', t: 0, dst: '192.168.1.10', sport: 6000, dport: 23, flags: 'S', seq: 1 },
      { ...fromWan, proto: 'udp', t: 0.002, dst: '192.168.1.10', sport: 6001, dport: 69, payload: 'r' },
      { ...fromWan, proto: 'tcp', t: 0.004, dst: '192.168.1.10', sport: 6002, dport: 24, flags: 'S', seq: 2 },
      { ...fromWan, proto: 'udp', t: 0.006, dst: '192.168.1.10', sport: 6003, dport: 68, payload: 'c' },
      { ...fromWan, proto: 'tcp', t: 0.008, dst: '10.0.0.20', sport: 6004, dport: 25, flags: 'S', seq: 3 },
      { ...fromWan, proto: 'udp', t: 0.01, dst: '10.0.0.20', sport: 6005, dport: 70, payload: 'h' },
      { ...fromWan, proto: 'udp', t: 0.012, dst: '10.0.0.20', sport: 6006, dport: 71, ttl: 1, payload: 't' },
      {
        ...fromWan,
        proto: 'icmp',
        t: 0.014,
        dst: '192.168.1.10',
        icmpType: 8,
        id: 7,
        icmpSeq: 1,
        payload: 'e',
      },
      {
        ...fromWan,
        proto: 'tcp',
        t: 0.016,
        dst: '192.168.1.10',
        sport: 6007,
        dport: 8022,
        flags: 'S',
        seq: 4,
      },
    ],
  },
};
