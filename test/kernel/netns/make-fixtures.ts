// Regenerates test/fixtures/scenarios/*: host.json from real iproute2 output
// (host-json-from-netns.ts), trace.pcapng from the packet lists below (scapy), rules.v4 as
// written here (the Docker ones are examples/docker-host/rules.v4). Run as root:
//   npx tsx test/kernel/netns/make-fixtures.ts [NAME...]

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCK_NAT_REJ_SCENARIOS } from './fixtures-dock-nat-rej.js';
import { ENGINE_SCENARIOS } from './fixtures-engine.js';
import { FRAG_SCENARIOS } from './fixtures-frag.js';
import { KUBE_CT_CHAIN_SCENARIOS } from './fixtures-kube-ct-chain.js';
import { SEED_SCENARIOS } from './fixtures-seeds.js';
import { hostJsonFromNetns, type TopologyDescription } from './host-json-from-netns.js';
import type { ReplaySettings } from './scenario.js';
import { type PacketSpec, writeTrace } from './trace-writer.js';

const ROOT = join(import.meta.dirname, '../../fixtures/scenarios');

// Addresses and MACs shared by the scenarios.
const ETH0 = '52:54:00:12:34:56'; // the host's uplink, 192.168.1.10/24
const ETH1 = '52:54:00:ab:cd:ef'; // a router's LAN side, 10.0.0.1/24
const GW = '02:00:5e:00:01:01'; // 192.168.1.1, the upstream router
const DOCKER0 = '02:42:8e:6f:1a:01';
const C2 = '02:42:ac:11:00:02'; // container 172.17.0.2
const C3 = '02:42:ac:11:00:03'; // container 172.17.0.3
const LAN20 = '02:00:00:00:00:20'; // 10.0.0.20 on the LAN
const WAN50 = '02:00:00:00:00:50'; // 192.168.1.50, on-link on the uplink
const WAN60 = '02:00:00:00:00:60';

const uplink = { name: 'eth0', mac: ETH0, mtu: 1500, addrs: ['192.168.1.10/24'] };
const gateway = 'default via 192.168.1.1 dev eth0';
const gwNeigh = `192.168.1.1 lladdr ${GW} dev eth0 nud permanent`;

const dockerHost: TopologyDescription = {
  interfaces: [
    uplink,
    { name: 'veth1a2b3c4', mac: '6a:1f:00:00:00:02', master: 'docker0' },
    { name: 'veth5d6e7f8', mac: '6a:1f:00:00:00:03', master: 'docker0' },
  ],
  bridges: [{ name: 'docker0', mac: DOCKER0, addrs: ['172.17.0.1/16'] }],
  routes: [gateway],
  neighbours: [gwNeigh],
  sysctl: { 'net.ipv4.ip_forward': 1, 'net.bridge.bridge-nf-call-iptables': 1 },
};

const router: TopologyDescription = {
  interfaces: [uplink, { name: 'eth1', mac: ETH1, mtu: 1500, addrs: ['10.0.0.1/24'] }],
  routes: [gateway],
  neighbours: [gwNeigh],
  sysctl: { 'net.ipv4.ip_forward': 1 },
};

const dockerRules = readFileSync(join(import.meta.dirname, '../../../examples/docker-host/rules.v4'), 'utf8');

const tcp = (p: Omit<PacketSpec, 'proto'>): PacketSpec => ({ proto: 'tcp', ...p });
const udp = (p: Omit<PacketSpec, 'proto'>): PacketSpec => ({ proto: 'udp', ...p });
const fromWan = { if: 'eth0', srcMac: GW, dstMac: ETH0 };
const fromC2 = { if: 'veth1a2b3c4', srcMac: C2, dstMac: DOCKER0, src: '172.17.0.2' };

export interface ScenarioSource {
  readonly host: TopologyDescription;
  readonly rules: string;
  readonly packets: readonly PacketSpec[];
  readonly settings?: ReplaySettings;
}

const filterAccept = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n';

const SCENARIOS: Record<string, ScenarioSource> = {
  // The seed trap: port 80 is DNATed to the container in nat PREROUTING, so filter INPUT's
  // port-80 rules never see it; the SYN leaves on docker0 as 172.17.0.2:8080.
  'docker-dnat-seed': {
    host: dockerHost,
    rules: dockerRules,
    settings: { description: 'Docker DNAT 80→172.17.0.2:8080 happens before filter INPUT' },
    packets: [
      tcp({
        ...fromWan,
        t: 0,
        src: '203.0.113.7',
        dst: '192.168.1.10',
        sport: 40000,
        dport: 80,
        flags: 'S',
        seq: 1000,
      }),
      tcp({
        ...fromC2,
        t: 0.01,
        dst: '203.0.113.7',
        sport: 8080,
        dport: 40000,
        flags: 'SA',
        seq: 5000,
        ack: 1001,
      }),
      tcp({
        ...fromWan,
        t: 0.02,
        src: '203.0.113.7',
        dst: '192.168.1.10',
        sport: 40000,
        dport: 80,
        flags: 'A',
        seq: 1001,
        ack: 5001,
      }),
      // From the network INPUT's first rule means to allow: still DNATed, still not INPUT.
      tcp({
        ...fromWan,
        t: 0.03,
        src: '172.16.0.9',
        dst: '192.168.1.10',
        sport: 40001,
        dport: 80,
        flags: 'S',
        seq: 7000,
      }),
    ],
  },
  // A container's outbound connection MASQUERADEd to the uplink address, and its reply un-NATed.
  'docker-masquerade': {
    host: dockerHost,
    rules: dockerRules,
    settings: { description: 'container SYN MASQUERADEd out of eth0; the SYN-ACK comes back to 172.17.0.2' },
    packets: [
      tcp({ ...fromC2, t: 0, dst: '198.51.100.20', sport: 45000, dport: 443, flags: 'S', seq: 100 }),
      tcp({
        ...fromWan,
        t: 0.01,
        src: '198.51.100.20',
        dst: '192.168.1.10',
        sport: 443,
        dport: 45000,
        flags: 'SA',
        seq: 900,
        ack: 101,
      }),
      tcp({
        ...fromC2,
        t: 0.02,
        dst: '198.51.100.20',
        sport: 45000,
        dport: 443,
        flags: 'A',
        seq: 101,
        ack: 901,
      }),
    ],
  },
  // REJECT's answers: a TCP reset, ICMP host-prohibited, and the default port-unreachable.
  'reject-tcp-reset': {
    host: { interfaces: [uplink], routes: [gateway], neighbours: [gwNeigh] },
    rules: `${filterAccept}-A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset
-A INPUT -p tcp -m tcp --dport 25 -j REJECT --reject-with icmp-host-prohibited
-A INPUT -p udp -m udp --dport 69 -j REJECT
COMMIT
`,
    packets: [
      tcp({
        ...fromWan,
        t: 0,
        src: '203.0.113.7',
        dst: '192.168.1.10',
        sport: 41000,
        dport: 23,
        flags: 'S',
        seq: 11,
      }),
      tcp({
        ...fromWan,
        t: 0.01,
        src: '203.0.113.7',
        dst: '192.168.1.10',
        sport: 41001,
        dport: 25,
        flags: 'S',
        seq: 22,
      }),
      udp({
        ...fromWan,
        t: 0.02,
        src: '203.0.113.7',
        dst: '192.168.1.10',
        sport: 41002,
        dport: 69,
        payload: 'x',
      }),
    ],
  },
  // RETURN in the built-in nat PREROUTING falls through to the policy: 192.168.1.50 is not
  // DNATed and reaches the host itself (no listener: the kernel resets), 192.168.1.60 is.
  'nat-prerouting-return': {
    host: router,
    rules: `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -s 192.168.1.50/32 -j RETURN
-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.20:8080
COMMIT
${filterAccept}COMMIT
`,
    packets: [
      tcp({
        if: 'eth0',
        srcMac: WAN50,
        dstMac: ETH0,
        t: 0,
        src: '192.168.1.50',
        dst: '192.168.1.10',
        sport: 42000,
        dport: 80,
        seq: 1,
      }),
      tcp({
        if: 'eth0',
        srcMac: WAN60,
        dstMac: ETH0,
        t: 0.01,
        src: '192.168.1.60',
        dst: '192.168.1.10',
        sport: 42001,
        dport: 80,
        seq: 2,
      }),
    ],
  },
  // A stateful router with MASQUERADE: a DNS query out, its reply back, a second query, and an
  // unsolicited datagram that matches no connection (the host answers port-unreachable).
  'udp-flow': {
    host: router,
    rules: `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i eth1 -o eth0 -p udp -m udp --dport 53 -j ACCEPT
COMMIT
`,
    packets: [
      udp({
        if: 'eth1',
        srcMac: LAN20,
        dstMac: ETH1,
        t: 0,
        src: '10.0.0.20',
        dst: '8.8.8.8',
        sport: 5353,
        dport: 53,
        payload: 'query1',
      }),
      udp({
        ...fromWan,
        t: 0.01,
        src: '8.8.8.8',
        dst: '192.168.1.10',
        sport: 53,
        dport: 5353,
        payload: 'answer1',
      }),
      udp({
        if: 'eth1',
        srcMac: LAN20,
        dstMac: ETH1,
        t: 0.02,
        src: '10.0.0.20',
        dst: '8.8.8.8',
        sport: 5353,
        dport: 53,
        payload: 'query2',
      }),
      udp({
        ...fromWan,
        t: 0.03,
        src: '8.8.8.8',
        dst: '192.168.1.10',
        sport: 53,
        dport: 5354,
        payload: 'stray',
      }),
    ],
  },
  // Conntrack timeouts across a trace: UDP timeout shortened to 1 s and the gaps replayed for
  // real, so the late reply finds no connection and is not forwarded.
  'udp-timeout-gap': {
    host: { ...router, sysctl: { ...router.sysctl, 'net.netfilter.nf_conntrack_udp_timeout': 1 } },
    rules: `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i eth1 -o eth0 -p udp -m udp --dport 53 -j ACCEPT
COMMIT
`,
    settings: { gaps: true, description: 'udp_timeout=1: a reply 1.6 s late matches no connection' },
    packets: [
      udp({
        if: 'eth1',
        srcMac: LAN20,
        dstMac: ETH1,
        t: 0,
        src: '10.0.0.20',
        dst: '8.8.8.8',
        sport: 5353,
        dport: 53,
        payload: 'query',
      }),
      udp({
        ...fromWan,
        t: 0.1,
        src: '8.8.8.8',
        dst: '192.168.1.10',
        sport: 53,
        dport: 5353,
        payload: 'answer',
      }),
      udp({
        ...fromWan,
        t: 1.7,
        src: '8.8.8.8',
        dst: '192.168.1.10',
        sport: 53,
        dport: 5353,
        payload: 'late',
      }),
    ],
  },
  // docker-proxy's path through INPUT: a container reaching the host's published port is not
  // DNATed (DOCKER returns for -i docker0), so the userland proxy on :80 answers; a real
  // listener on :22 answers too, while :81 has no socket and the kernel resets.
  'docker-proxy-input': {
    host: {
      ...dockerHost,
      listeners: [{ protocol: 'tcp', port: 22 }],
      proxies: [
        { protocol: 'tcp', address: '0.0.0.0', port: 80, target: { address: '172.17.0.2', port: 8080 } },
      ],
    },
    rules: dockerRules.replace(
      '[42:2520] -A INPUT -j REJECT',
      '[0:0] -A INPUT -i docker0 -j ACCEPT\n[42:2520] -A INPUT -j REJECT',
    ),
    packets: [80, 22, 81].map((dport, i) =>
      tcp({
        if: 'veth5d6e7f8',
        srcMac: C3,
        dstMac: DOCKER0,
        t: i * 0.01,
        src: '172.17.0.3',
        dst: '192.168.1.10',
        sport: 43000 + i,
        dport,
        seq: 500,
      }),
    ),
  },
};

const wanted = process.argv.slice(2);
for (const [name, s] of Object.entries({
  ...SCENARIOS,
  ...KUBE_CT_CHAIN_SCENARIOS,
  ...DOCK_NAT_REJ_SCENARIOS,
  ...ENGINE_SCENARIOS,
  ...FRAG_SCENARIOS,
  ...SEED_SCENARIOS,
})) {
  if (wanted.length && !wanted.includes(name)) continue;
  const dir = join(ROOT, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'host.json'), `${JSON.stringify(hostJsonFromNetns(s.host), null, 2)}\n`);
  writeFileSync(join(dir, 'rules.v4'), s.rules);
  // Seeds: the iptables commands rules.v4 was made from.
  if ('script' in s && typeof s.script === 'string') writeFileSync(join(dir, 'rules.sh'), s.script);
  if (s.settings) writeFileSync(join(dir, 'scenario.json'), `${JSON.stringify(s.settings, null, 2)}\n`);
  writeTrace(join(dir, 'trace.pcapng'), s.packets);
  console.log(`wrote ${dir}`);
}
