// Scenario sources for Docker hosts (dock-*), NAT (nat-*) and REJECT (rej-*), merged into
// make-fixtures.ts's list. Docker rulesets are written here in the shape current Docker gives
// them (DOCKER-USER, DOCKER-ISOLATION-STAGE-1/2, DOCKER, MASQUERADE per bridge, DNAT per
// published port), not copied from anywhere.

import type { TopologyDescription } from './host-json-from-netns.js';
import type { ReplaySettings } from './scenario.js';
import type { PacketSpec } from './trace-writer.js';

export interface ScenarioSource {
  readonly host: TopologyDescription;
  readonly rules: string;
  readonly packets: readonly PacketSpec[];
  readonly settings?: ReplaySettings;
}

// Addresses and MACs (the same ones make-fixtures.ts uses).
const ETH0 = '52:54:00:12:34:56'; // the host's uplink, 192.168.1.10/24
const ETH1 = '52:54:00:ab:cd:ef'; // a router's LAN side, 10.0.0.1/24
const GW = '02:00:5e:00:01:01'; // 192.168.1.1, the upstream router
const DOCKER0 = '02:42:8e:6f:1a:01';
const BRB = '02:42:5c:3d:00:01'; // a second docker network's bridge, 172.28.0.1/16
const C2 = '02:42:ac:11:00:02'; // container 172.17.0.2
const C3 = '02:42:ac:11:00:03'; // container 172.17.0.3
const CB = '02:42:ac:1c:00:02'; // container 172.28.0.2 on the second network
const LAN20 = '02:00:00:00:00:20'; // 10.0.0.20 on the LAN
const LAN21 = '02:00:00:00:00:21';
const LAN22 = '02:00:00:00:00:22';
const LAN254 = '02:00:00:00:02:54'; // 10.0.0.254, another router on the LAN

const HOST = '192.168.1.10';
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

const twoNetworkHost: TopologyDescription = {
  ...dockerHost,
  interfaces: [
    ...dockerHost.interfaces,
    { name: 'veth9c0d1e2', mac: '6a:1f:00:00:1c:02', master: 'br-0be676646756' },
  ],
  bridges: [...(dockerHost.bridges ?? []), { name: 'br-0be676646756', mac: BRB, addrs: ['172.28.0.1/16'] }],
};

const router: TopologyDescription = {
  interfaces: [uplink, { name: 'eth1', mac: ETH1, mtu: 1500, addrs: ['10.0.0.1/24'] }],
  routes: [gateway],
  neighbours: [gwNeigh],
  sysctl: { 'net.ipv4.ip_forward': 1 },
};

const single: TopologyDescription = { interfaces: [uplink], routes: [gateway], neighbours: [gwNeigh] };

// ---------------------------------------------------------------------------------------------
// Docker rulesets

interface Network {
  readonly bridge: string;
  readonly subnet: string;
}
interface Publish {
  readonly proto: 'tcp' | 'udp';
  readonly hostPort: number;
  readonly ip: string;
  readonly port: number;
  readonly bridge?: string;
}
interface DockerOptions {
  readonly networks?: readonly Network[];
  readonly publish?: readonly Publish[];
  /** DOCKER-USER rules before its final RETURN ("-A DOCKER-USER ..." without the -A part). */
  readonly user?: readonly string[];
  /** userland-proxy=false: no `-i BRIDGE -j RETURN` in nat DOCKER, DNAT also from the bridge. */
  readonly hairpin?: boolean;
  /** Extra lines for filter INPUT and nat PREROUTING (inserted first). */
  readonly input?: readonly string[];
  readonly natPrerouting?: readonly string[];
  readonly natChains?: readonly string[];
  readonly natRules?: readonly string[];
}

const DOCKER0_NET: Network = { bridge: 'docker0', subnet: '172.17.0.0/16' };
const NET_B: Network = { bridge: 'br-0be676646756', subnet: '172.28.0.0/16' };

function dockerRuleset(o: DockerOptions): string {
  const nets = o.networks ?? [DOCKER0_NET];
  const pub = o.publish ?? [];
  const br = (p: Publish) => p.bridge ?? 'docker0';
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    ':DOCKER-ISOLATION-STAGE-1 - [0:0]',
    ':DOCKER-ISOLATION-STAGE-2 - [0:0]',
    ':DOCKER-USER - [0:0]',
    ...(o.input ?? []).map((r) => `-A INPUT ${r}`),
    '-A FORWARD -j DOCKER-USER',
    '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
    ...nets.flatMap(({ bridge: b }) => [
      `-A FORWARD -o ${b} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
      `-A FORWARD -o ${b} -j DOCKER`,
      `-A FORWARD -i ${b} ! -o ${b} -j ACCEPT`,
      `-A FORWARD -i ${b} -o ${b} -j ACCEPT`,
    ]),
    ...pub.map(
      (p) =>
        `-A DOCKER -d ${p.ip}/32 ! -i ${br(p)} -o ${br(p)} -p ${p.proto} -m ${p.proto} --dport ${p.port} -j ACCEPT`,
    ),
    ...nets.map(
      ({ bridge: b }) => `-A DOCKER-ISOLATION-STAGE-1 -i ${b} ! -o ${b} -j DOCKER-ISOLATION-STAGE-2`,
    ),
    '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    ...nets.map(({ bridge: b }) => `-A DOCKER-ISOLATION-STAGE-2 -o ${b} -j DROP`),
    '-A DOCKER-ISOLATION-STAGE-2 -j RETURN',
    ...(o.user ?? []).map((r) => `-A DOCKER-USER ${r}`),
    '-A DOCKER-USER -j RETURN',
    'COMMIT',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    ...(o.natChains ?? []).map((c) => `:${c} - [0:0]`),
    ...(o.natPrerouting ?? []).map((r) => `-A PREROUTING ${r}`),
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
    ...nets.map(({ bridge: b, subnet }) => `-A POSTROUTING -s ${subnet} ! -o ${b} -j MASQUERADE`),
    ...pub.map(
      (p) =>
        `-A POSTROUTING -s ${p.ip}/32 -d ${p.ip}/32 -p ${p.proto} -m ${p.proto} --dport ${p.port} -j MASQUERADE`,
    ),
    ...(o.hairpin ? [] : nets.map(({ bridge: b }) => `-A DOCKER -i ${b} -j RETURN`)),
    ...pub.map(
      (p) =>
        `-A DOCKER${o.hairpin ? '' : ` ! -i ${br(p)}`} -p ${p.proto} -m ${p.proto} --dport ${p.hostPort} -j DNAT --to-destination ${p.ip}:${p.port}`,
    ),
    ...(o.natRules ?? []),
    'COMMIT',
    '',
  ].join('\n');
}

const WEB: Publish = { proto: 'tcp', hostPort: 80, ip: '172.17.0.2', port: 8080 };

// ---------------------------------------------------------------------------------------------
// Packet helpers

/** How one party's packets reach the host: ingress interface, MACs, its address. */
interface Party {
  readonly if: string;
  readonly srcMac: string;
  readonly dstMac: string;
  readonly ip: string;
}
const wan = (ip: string): Party => ({ if: 'eth0', srcMac: GW, dstMac: ETH0, ip });
const lan = (ip: string, mac: string): Party => ({ if: 'eth1', srcMac: mac, dstMac: ETH1, ip });
const c2: Party = { if: 'veth1a2b3c4', srcMac: C2, dstMac: DOCKER0, ip: '172.17.0.2' };
const c3: Party = { if: 'veth5d6e7f8', srcMac: C3, dstMac: DOCKER0, ip: '172.17.0.3' };
const cb: Party = { if: 'veth9c0d1e2', srcMac: CB, dstMac: BRB, ip: '172.28.0.2' };

type Rest = Omit<PacketSpec, 'if' | 'srcMac' | 'dstMac' | 'src' | 'dst' | 't' | 'proto'>;
const from = (p: Party) => ({ if: p.if, srcMac: p.srcMac, dstMac: p.dstMac, src: p.ip });

/** Packets at 10 ms intervals (the harness replays them `spacingMs` apart anyway). */
function timed(packets: readonly Omit<PacketSpec, 't'>[]): PacketSpec[] {
  return packets.map((p, i) => ({ ...p, t: i * 0.01 }) as PacketSpec);
}
const tcpFrom = (p: Party, dst: string, r: Rest): Omit<PacketSpec, 't'> => ({
  ...from(p),
  proto: 'tcp',
  dst,
  ...r,
});
const udpFrom = (p: Party, dst: string, r: Rest): Omit<PacketSpec, 't'> => ({
  ...from(p),
  proto: 'udp',
  dst,
  ...r,
});
const icmpFrom = (p: Party, dst: string, r: Rest): Omit<PacketSpec, 't'> => ({
  ...from(p),
  proto: 'icmp',
  dst,
  ...r,
});

/**
 * A TCP conversation as the host receives it: the client's packets addressed to `to` (before
 * any DNAT), the server's addressed to what the server sees (after NAT). Sequence and
 * acknowledgement numbers follow from the steps: [side, flags, payload?].
 */
function tcpConversation(
  client: { party: Party; port: number; to: string; toPort: number; isn?: number },
  server: { party: Party; port: number; to: string; toPort: number; isn?: number },
  steps: readonly (readonly ['c' | 's', string, string?])[],
): Omit<PacketSpec, 't'>[] {
  const next = { c: client.isn ?? 1000, s: server.isn ?? 5000 };
  return steps.map(([side, flags, payload]) => {
    const me = side === 'c' ? client : server;
    const other = side === 'c' ? 's' : 'c';
    const seq = next[side];
    const ack = flags.includes('A') ? next[other] : 0;
    next[side] += (payload?.length ?? 0) + (flags.includes('S') ? 1 : 0) + (flags.includes('F') ? 1 : 0);
    return tcpFrom(me.party, me.to, {
      sport: me.port,
      dport: me.toPort,
      flags,
      seq,
      ack,
      ...(payload ? { payload } : {}),
    });
  });
}

const HANDSHAKE = [
  ['c', 'S'],
  ['s', 'SA'],
  ['c', 'A'],
] as const;

const filterAccept = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n';
const natHead =
  '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n';
const statefulForward = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -m conntrack --ctstate NEW -j ACCEPT
COMMIT
`;
const nat = (...rules: string[]) => `${natHead}${rules.join('\n')}\nCOMMIT\n${statefulForward}`;

// ---------------------------------------------------------------------------------------------
// Docker

const client = wan('203.0.113.7');
const webConversation = (steps: readonly (readonly ['c' | 's', string, string?])[], port = 40000) =>
  tcpConversation(
    { party: client, port, to: HOST, toPort: 80 },
    { party: c2, port: 8080, to: '203.0.113.7', toPort: port },
    steps,
  );

const DOCK: Record<string, ScenarioSource> = {
  'dock-dnat-handshake-fin': {
    host: dockerHost,
    rules: dockerRuleset({ publish: [WEB] }),
    settings: {
      description:
        'a published port end to end: DNAT 80→172.17.0.2:8080, handshake, data both ways, FIN teardown from both sides',
    },
    packets: timed(
      webConversation([
        ...HANDSHAKE,
        ['c', 'PA', 'GET / HTTP/1.0\r\n\r\n'],
        ['s', 'A'],
        ['s', 'PA', 'HTTP/1.0 200 OK\r\n\r\nhello'],
        ['c', 'A'],
        ['s', 'FA'],
        ['c', 'FA'],
        ['s', 'A'],
      ]),
    ),
  },
  'dock-dnat-rst': {
    host: dockerHost,
    rules: dockerRuleset({ publish: [WEB] }),
    settings: {
      description:
        'a published connection reset by the client, then one reset by the container: RSTs are un-NATed and close the connection, and a late ACK still follows it to the container',
    },
    packets: timed([
      ...webConversation([...HANDSHAKE, ['c', 'PA', 'x'], ['c', 'RA']], 40000),
      ...webConversation([...HANDSHAKE, ['c', 'PA', 'y'], ['s', 'RA'], ['c', 'A']], 40001),
    ]),
  },
  'dock-dnat-udp': {
    host: dockerHost,
    rules: dockerRuleset({ publish: [{ proto: 'udp', hostPort: 53, ip: '172.17.0.3', port: 5353 }] }),
    settings: {
      description: 'a published UDP port: queries DNATed to 172.17.0.3:5353 and the answers un-NATed',
    },
    packets: timed([
      udpFrom(client, HOST, { sport: 41000, dport: 53, payload: 'q1' }),
      udpFrom(c3, '203.0.113.7', { sport: 5353, dport: 41000, payload: 'a1' }),
      udpFrom(client, HOST, { sport: 41000, dport: 53, payload: 'q2' }),
      udpFrom(c3, '203.0.113.7', { sport: 5353, dport: 41000, payload: 'a2' }),
      udpFrom(wan('198.51.100.9'), HOST, { sport: 41001, dport: 53, payload: 'q3' }),
    ]),
  },
  'dock-publish-several': {
    host: dockerHost,
    rules: dockerRuleset({
      publish: [
        WEB,
        { proto: 'tcp', hostPort: 443, ip: '172.17.0.2', port: 8443 },
        { proto: 'udp', hostPort: 5000, ip: '172.17.0.3', port: 5000 },
        { proto: 'tcp', hostPort: 5000, ip: '172.17.0.3', port: 6000 },
      ],
    }),
    settings: {
      description:
        'several published ports, TCP and UDP on the same host port to different containers; an unpublished port reaches the host (RST)',
    },
    packets: timed([
      tcpFrom(client, HOST, { sport: 40000, dport: 80, flags: 'S', seq: 1 }),
      tcpFrom(client, HOST, { sport: 40001, dport: 443, flags: 'S', seq: 2 }),
      udpFrom(client, HOST, { sport: 40002, dport: 5000, payload: 'u' }),
      tcpFrom(client, HOST, { sport: 40003, dport: 5000, flags: 'S', seq: 3 }),
      tcpFrom(client, HOST, { sport: 40004, dport: 8080, flags: 'S', seq: 4 }),
      tcpFrom(c3, '203.0.113.7', { sport: 6000, dport: 40003, flags: 'SA', seq: 90, ack: 4 }),
    ]),
  },
  // The seed's fix: DOCKER-USER sees the DNATed port (8080), never the published one (80).
  'dock-user-drop-dnat-port': {
    host: dockerHost,
    rules: dockerRuleset({
      publish: [WEB],
      user: ['-p tcp -m tcp --dport 80 -j DROP', '-p tcp -m tcp --dport 8080 -j DROP'],
    }),
    settings: {
      description:
        'seed 000: DOCKER-USER runs after DNAT, so its --dport 80 DROP never matches and its --dport 8080 DROP blocks the published port',
    },
    packets: timed([
      tcpFrom(client, HOST, { sport: 40000, dport: 80, flags: 'S', seq: 1 }),
      tcpFrom(wan('172.16.0.9'), HOST, { sport: 40001, dport: 80, flags: 'S', seq: 2 }),
      tcpFrom(c2, '198.51.100.20', { sport: 45000, dport: 80, flags: 'S', seq: 3 }),
    ]),
  },
  // The seed's second attempt: a whitelist in DOCKER-USER, which also cuts containers' own traffic.
  'dock-user-whitelist': {
    host: dockerHost,
    rules: dockerRuleset({
      publish: [WEB],
      user: ['-s 172.16.0.0/24 -p tcp -m tcp --dport 8080 -j ACCEPT', '-p tcp -j DROP'],
    }),
    settings: {
      description:
        'seed 000: DOCKER-USER accepts 172.16.0.0/24 to :8080 and drops other TCP — other sources, the container replies and its outbound connections all die',
    },
    packets: timed([
      tcpFrom(wan('172.16.0.9'), HOST, { sport: 40001, dport: 80, flags: 'S', seq: 2 }),
      tcpFrom(c2, '172.16.0.9', { sport: 8080, dport: 40001, flags: 'SA', seq: 50, ack: 3 }),
      tcpFrom(client, HOST, { sport: 40000, dport: 80, flags: 'S', seq: 1 }),
      tcpFrom(c2, '198.51.100.20', { sport: 45000, dport: 443, flags: 'S', seq: 3 }),
      udpFrom(c2, '198.51.100.20', { sport: 45001, dport: 53, payload: 'dns' }),
    ]),
  },
  'dock-isolation-two-networks': {
    host: twoNetworkHost,
    rules: dockerRuleset({ networks: [DOCKER0_NET, NET_B] }),
    settings: {
      description:
        'DOCKER-ISOLATION: a container on docker0 cannot reach one on a second network (and back), but both reach the internet MASQUERADEd',
    },
    packets: timed([
      tcpFrom(c2, '172.28.0.2', { sport: 45000, dport: 80, flags: 'S', seq: 1 }),
      tcpFrom(cb, '172.17.0.2', { sport: 45001, dport: 80, flags: 'S', seq: 2 }),
      icmpFrom(c2, '172.28.0.2', { id: 7 }),
      tcpFrom(c2, '198.51.100.20', { sport: 45002, dport: 443, flags: 'S', seq: 3 }),
      tcpFrom(cb, '198.51.100.20', { sport: 45003, dport: 443, flags: 'S', seq: 4 }),
      tcpFrom(wan('198.51.100.20'), HOST, { sport: 443, dport: 45003, flags: 'SA', seq: 70, ack: 5 }),
    ]),
  },
  'dock-masq-udp': {
    host: dockerHost,
    rules: dockerRuleset({}),
    settings: {
      description:
        'a container DNS query MASQUERADEd out of eth0, its answers un-NATed, a stray datagram refused',
    },
    packets: timed([
      udpFrom(c2, '8.8.8.8', { sport: 33000, dport: 53, payload: 'q1' }),
      udpFrom(wan('8.8.8.8'), HOST, { sport: 53, dport: 33000, payload: 'a1' }),
      udpFrom(c2, '8.8.8.8', { sport: 33000, dport: 53, payload: 'q2' }),
      udpFrom(wan('8.8.8.8'), HOST, { sport: 53, dport: 33000, payload: 'a2' }),
      udpFrom(wan('8.8.8.8'), HOST, { sport: 53, dport: 33001, payload: 'stray' }),
    ]),
  },
  'dock-masq-icmp-echo': {
    host: dockerHost,
    rules: dockerRuleset({}),
    settings: {
      description: 'container pings MASQUERADEd (the echo id is the NAT key) and the replies un-NATed',
    },
    packets: timed([
      icmpFrom(c2, '8.8.8.8', { id: 77, icmpSeq: 1, payload: 'ping' }),
      icmpFrom(wan('8.8.8.8'), HOST, { icmpType: 0, id: 77, icmpSeq: 1, payload: 'ping' }),
      icmpFrom(c3, '8.8.8.8', { id: 78, icmpSeq: 1, payload: 'ping' }),
      icmpFrom(c2, '8.8.8.8', { id: 77, icmpSeq: 2, payload: 'ping' }),
      icmpFrom(wan('8.8.8.8'), HOST, { icmpType: 0, id: 77, icmpSeq: 2, payload: 'ping' }),
      icmpFrom(wan('8.8.8.8'), HOST, { icmpType: 0, id: 78, icmpSeq: 1, payload: 'ping' }),
    ]),
  },
  'dock-masq-port-clash': {
    host: dockerHost,
    rules: dockerRuleset({}),
    settings: {
      description:
        'two containers connect from the same source port to the same server port: MASQUERADE keeps the first port and must move the second',
    },
    packets: timed([
      tcpFrom(c2, '198.51.100.20', { sport: 45000, dport: 443, flags: 'S', seq: 1 }),
      tcpFrom(c3, '198.51.100.20', { sport: 45000, dport: 443, flags: 'S', seq: 2 }),
      tcpFrom(wan('198.51.100.20'), HOST, { sport: 443, dport: 45000, flags: 'SA', seq: 70, ack: 2 }),
      udpFrom(c2, '198.51.100.20', { sport: 45000, dport: 443, payload: 'quic' }),
      udpFrom(c3, '198.51.100.20', { sport: 45000, dport: 443, payload: 'quic' }),
    ]),
  },
  'dock-hairpin': {
    host: dockerHost,
    rules: dockerRuleset({ publish: [WEB], hairpin: true }),
    settings: {
      description:
        'hairpin NAT: a container reaching its own published port is DNATed back to itself; br_netfilter bridges it back to its ingress port (bridged DNAT), which without hairpin mode drops it, so the SYN-ACK to the bridge address meets a RST',
    },
    packets: timed([
      tcpFrom(c2, HOST, { sport: 46000, dport: 80, flags: 'S', seq: 1 }),
      tcpFrom(c2, '172.17.0.1', { sport: 8080, dport: 46000, flags: 'SA', seq: 60, ack: 2 }),
      tcpFrom(c2, HOST, { sport: 46000, dport: 80, flags: 'A', seq: 2, ack: 61 }),
    ]),
  },
  // Seed 000's "final solution": nat PREROUTING sends LOCAL traffic through DOCKER-FILTER,
  // which jumps to DOCKER only for the whitelist; the rest hits a RETURN in PREROUTING and so
  // reaches INPUT undNATed — where docker-proxy still answers (the seed's trap).
  'dock-filter-chain-proxy': {
    host: {
      ...dockerHost,
      proxies: [
        { protocol: 'tcp', address: '0.0.0.0', port: 80, target: { address: '172.17.0.2', port: 8080 } },
      ],
    },
    rules: dockerRuleset({
      publish: [WEB],
      natChains: ['DOCKER-FILTER'],
      natPrerouting: [
        '-m addrtype --dst-type LOCAL -j DOCKER-FILTER',
        '-m addrtype --dst-type LOCAL -j RETURN',
      ],
      natRules: [
        '-A DOCKER-FILTER -s 172.16.0.0/24 -p tcp -m tcp --dport 80 -m state --state NEW,ESTABLISHED -j DOCKER',
      ],
    }),
    settings: {
      description:
        'seed 000: DOCKER-FILTER + RETURN in nat PREROUTING — the whitelisted source is DNATed, any other reaches INPUT and docker-proxy answers it',
    },
    packets: timed([
      tcpFrom(wan('172.16.0.9'), HOST, { sport: 40001, dport: 80, flags: 'S', seq: 2 }),
      tcpFrom(client, HOST, { sport: 40000, dport: 80, flags: 'S', seq: 1 }),
    ]),
  },
  'dock-filter-chain-input-drop': {
    host: {
      ...dockerHost,
      proxies: [
        { protocol: 'tcp', address: '0.0.0.0', port: 80, target: { address: '172.17.0.2', port: 8080 } },
      ],
    },
    rules: dockerRuleset({
      publish: [WEB],
      input: ['-p tcp -m tcp --dport 80 -j DROP'],
      natChains: ['DOCKER-FILTER'],
      natPrerouting: [
        '-m addrtype --dst-type LOCAL -j DOCKER-FILTER',
        '-m addrtype --dst-type LOCAL -j RETURN',
      ],
      natRules: [
        '-A DOCKER-FILTER -s 172.16.0.0/24 -p tcp -m tcp --dport 80 -m state --state NEW,ESTABLISHED -j DOCKER',
      ],
    }),
    settings: {
      description:
        "seed 000's complete fix: DOCKER-FILTER whitelists the DNAT and filter INPUT drops :80 so docker-proxy never sees the rest",
    },
    packets: timed([
      tcpFrom(wan('172.16.0.9'), HOST, { sport: 40001, dport: 80, flags: 'S', seq: 2 }),
      tcpFrom(c2, '172.16.0.9', { sport: 8080, dport: 40001, flags: 'SA', seq: 50, ack: 3 }),
      tcpFrom(wan('172.16.0.9'), HOST, { sport: 40001, dport: 80, flags: 'A', seq: 3, ack: 51 }),
      tcpFrom(client, HOST, { sport: 40000, dport: 80, flags: 'S', seq: 1 }),
    ]),
  },
};

// ---------------------------------------------------------------------------------------------
// NAT (on the router: eth0 192.168.1.10/24 upstream, eth1 10.0.0.1/24 LAN)

const l20 = lan('10.0.0.20', LAN20);
const l21 = lan('10.0.0.21', LAN21);
const l22 = lan('10.0.0.22', LAN22);
const l254 = lan('10.0.0.254', LAN254);
const routerNeigh = (...more: string[]): TopologyDescription => ({
  ...router,
  neighbours: [...(router.neighbours ?? []), ...more],
});

const NAT: Record<string, ScenarioSource> = {
  'nat-snat-range-persistent': {
    host: router,
    rules: nat(
      '-A POSTROUTING -s 10.0.0.0/24 -o eth0 -j SNAT --to-source 192.168.1.20-192.168.1.23 --persistent',
    ),
    settings: {
      description:
        'SNAT to an address range with --persistent: the address is a hash of the client alone, the same for every destination',
    },
    packets: timed([
      udpFrom(l20, '8.8.8.8', { sport: 5000, dport: 53, payload: 'a' }),
      udpFrom(l20, '1.1.1.1', { sport: 5001, dport: 53, payload: 'b' }),
      udpFrom(l21, '8.8.8.8', { sport: 5000, dport: 53, payload: 'c' }),
      udpFrom(l22, '9.9.9.9', { sport: 5000, dport: 53, payload: 'd' }),
      tcpFrom(l21, '1.1.1.1', { sport: 5002, dport: 443, flags: 'S', seq: 1 }),
    ]),
  },
  'nat-snat-range': {
    host: router,
    rules: nat('-A POSTROUTING -s 10.0.0.0/24 -o eth0 -j SNAT --to-source 192.168.1.20-192.168.1.23'),
    settings: {
      description:
        'SNAT to an address range without --persistent: the address is a hash of client and destination',
    },
    packets: timed([
      udpFrom(l20, '8.8.8.8', { sport: 5000, dport: 53, payload: 'a' }),
      udpFrom(l20, '1.1.1.1', { sport: 5001, dport: 53, payload: 'b' }),
      udpFrom(l21, '8.8.8.8', { sport: 5000, dport: 53, payload: 'c' }),
      udpFrom(l22, '9.9.9.9', { sport: 5000, dport: 53, payload: 'd' }),
    ]),
  },
  'nat-snat-port-range': {
    host: router,
    rules: nat('-A POSTROUTING -s 10.0.0.0/24 -o eth0 -p udp -j SNAT --to-source 192.168.1.10:2000-2002'),
    settings: {
      description:
        'SNAT to a 3-port range: three clients from the same port to one server each get one of 2000-2002 (the kernel picks at random)',
    },
    packets: timed([
      udpFrom(l20, '8.8.8.8', { sport: 5353, dport: 53, payload: 'a' }),
      udpFrom(l21, '8.8.8.8', { sport: 5353, dport: 53, payload: 'b' }),
      udpFrom(l22, '8.8.8.8', { sport: 5353, dport: 53, payload: 'c' }),
      udpFrom(l20, '8.8.8.8', { sport: 5353, dport: 53, payload: 'again' }),
    ]),
  },
  'nat-dnat-range': {
    host: routerNeigh(
      `10.0.0.21 lladdr ${LAN21} dev eth1 nud permanent`,
      `10.0.0.22 lladdr ${LAN22} dev eth1 nud permanent`,
    ),
    rules: nat(
      '-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.20-10.0.0.22:8080-8081',
    ),
    settings: {
      description:
        'DNAT to an address and port range: the backend is a hash of the client, the port the first of the range',
    },
    packets: timed(
      ['203.0.113.7', '203.0.113.8', '203.0.113.9', '198.51.100.4'].map((ip, i) =>
        tcpFrom(wan(ip), HOST, { sport: 40000 + i, dport: 80, flags: 'S', seq: i }),
      ),
    ),
  },
  'nat-dnat-random': {
    host: router,
    rules: nat(
      '-A PREROUTING -i eth0 -p udp -m udp --dport 53 -j DNAT --to-destination 10.0.0.20:10000-10999 --random',
    ),
    settings: {
      description:
        'DNAT with --random: the backend port is drawn from 10000-10999 (compared modulo the random choice)',
    },
    packets: timed([
      udpFrom(wan('203.0.113.7'), HOST, { sport: 41000, dport: 53, payload: 'a' }),
      udpFrom(wan('203.0.113.8'), HOST, { sport: 41000, dport: 53, payload: 'b' }),
      udpFrom(wan('203.0.113.7'), HOST, { sport: 41000, dport: 53, payload: 'a2' }),
    ]),
  },
  'nat-masq-random-fully': {
    host: router,
    rules: nat('-A POSTROUTING -o eth0 -j MASQUERADE --random-fully'),
    settings: {
      description:
        'MASQUERADE --random-fully: every connection gets a random source port (compared modulo the random choice), kept for its later packets',
    },
    packets: timed([
      udpFrom(l20, '8.8.8.8', { sport: 5353, dport: 53, payload: 'a' }),
      tcpFrom(l20, '198.51.100.20', { sport: 45000, dport: 443, flags: 'S', seq: 1 }),
      udpFrom(l21, '8.8.8.8', { sport: 5353, dport: 53, payload: 'b' }),
      udpFrom(l20, '8.8.8.8', { sport: 5353, dport: 53, payload: 'a2' }),
    ]),
  },
  'nat-snat-random': {
    host: router,
    rules: nat('-A POSTROUTING -o eth0 -p tcp -j SNAT --to-source 192.168.1.10:20000-29999 --random'),
    settings: {
      description:
        'SNAT with --random to a port range: ports drawn from 20000-29999 (compared modulo the random choice)',
    },
    packets: timed([
      tcpFrom(l20, '198.51.100.20', { sport: 45000, dport: 443, flags: 'S', seq: 1 }),
      tcpFrom(l21, '198.51.100.20', { sport: 45000, dport: 443, flags: 'S', seq: 2 }),
      tcpFrom(l20, '198.51.100.20', { sport: 45000, dport: 443, flags: 'S', seq: 1 }),
    ]),
  },
  'nat-redirect': {
    host: { ...router, listeners: [{ protocol: 'tcp', port: 3128 }] },
    rules: nat(
      '-A PREROUTING -i eth1 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 3128',
      '-A PREROUTING -i eth1 -p udp -m udp --dport 53 -j REDIRECT --to-ports 5353',
    ),
    settings: {
      description:
        "REDIRECT to local ports: the transparent proxy's SYN-ACK comes from the original destination; a UDP redirect with no socket gets a port unreachable quoting the original",
    },
    packets: timed([
      tcpFrom(l20, '93.184.216.34', { sport: 47000, dport: 80, flags: 'S', seq: 1 }),
      udpFrom(l20, '8.8.8.8', { sport: 47001, dport: 53, payload: 'q' }),
      tcpFrom(l20, '93.184.216.34', { sport: 47002, dport: 8080, flags: 'S', seq: 1 }),
    ]),
  },
  'nat-netmap': {
    host: routerNeigh(`10.0.0.21 lladdr ${LAN21} dev eth1 nud permanent`),
    rules: nat(
      '-A PREROUTING -i eth0 -d 192.168.100.0/24 -j NETMAP --to 10.0.0.0/24',
      '-A POSTROUTING -o eth0 -s 10.0.0.0/24 -j NETMAP --to 192.168.100.0/24',
    ),
    settings: {
      description:
        'NETMAP both ways: 192.168.100.0/24 maps host for host onto 10.0.0.0/24 inbound and back outbound',
    },
    packets: timed([
      tcpFrom(client, '192.168.100.20', { sport: 40000, dport: 22, flags: 'S', seq: 1 }),
      tcpFrom(l20, '203.0.113.7', { sport: 22, dport: 40000, flags: 'SA', seq: 9, ack: 2 }),
      udpFrom(l21, '8.8.8.8', { sport: 5353, dport: 53, payload: 'q' }),
      udpFrom(wan('8.8.8.8'), '192.168.100.21', { sport: 53, dport: 5353, payload: 'a' }),
    ]),
  },
  'nat-null-binding-clash': {
    host: router,
    rules: nat(
      '-A PREROUTING -i eth0 -d 192.168.1.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.20',
    ),
    settings: {
      description:
        "the null binding: a client connects to 10.0.0.20:80 directly, then from the same port through the DNAT — the reply tuples collide, so POSTROUTING's implicit SNAT moves the second connection's source port",
    },
    packets: timed([
      tcpFrom(client, '10.0.0.20', { sport: 40000, dport: 80, flags: 'S', seq: 1 }),
      tcpFrom(client, HOST, { sport: 40000, dport: 80, flags: 'S', seq: 100 }),
    ]),
  },
  'nat-dnat-related-icmp': {
    host: routerNeigh(`10.0.0.254 lladdr ${LAN254} dev eth1 nud permanent`),
    rules: nat('-A PREROUTING -i eth0 -p udp -m udp --dport 53 -j DNAT --to-destination 10.0.0.20:5353'),
    settings: {
      description:
        "RELATED ICMP errors of a DNATed flow: the backend's port unreachable and another router's host unreachable go back with outer and quoted addresses un-NATed",
    },
    packets: timed([
      udpFrom(client, HOST, { sport: 41000, dport: 53, payload: 'q1' }),
      icmpFrom(l20, '203.0.113.7', {
        icmpType: 3,
        icmpCode: 3,
        quote: {
          src: '203.0.113.7',
          dst: '10.0.0.20',
          proto: 'udp',
          sport: 41000,
          dport: 5353,
          payload: 'q1',
          ttl: 63,
        },
      }),
      udpFrom(wan('203.0.113.8'), HOST, { sport: 41001, dport: 53, payload: 'q2' }),
      icmpFrom(l254, '203.0.113.8', {
        icmpType: 3,
        icmpCode: 1,
        quote: {
          src: '203.0.113.8',
          dst: '10.0.0.20',
          proto: 'udp',
          sport: 41001,
          dport: 5353,
          payload: 'q2',
          ttl: 63,
        },
      }),
      // An error quoting a flow nobody has: not RELATED, FORWARD drops it.
      icmpFrom(l20, '203.0.113.9', {
        icmpType: 3,
        icmpCode: 3,
        quote: {
          src: '203.0.113.9',
          dst: '10.0.0.20',
          proto: 'udp',
          sport: 41002,
          dport: 5353,
          payload: 'zz',
          ttl: 63,
        },
      }),
    ]),
  },
  'nat-masq-related-icmp': {
    host: router,
    rules: nat('-A POSTROUTING -o eth0 -j MASQUERADE'),
    settings: {
      description:
        'RELATED ICMP errors of a MASQUERADEd flow (net unreachable, TTL exceeded) reach the LAN client with the quoted source restored',
    },
    packets: timed([
      udpFrom(l20, '198.51.100.20', { sport: 33434, dport: 33434, payload: 'trace', ttl: 2 }),
      icmpFrom(wan('192.168.1.1'), HOST, {
        icmpType: 11,
        icmpCode: 0,
        quote: {
          src: HOST,
          dst: '198.51.100.20',
          proto: 'udp',
          sport: 33434,
          dport: 33434,
          payload: 'trace',
          ttl: 1,
        },
      }),
      tcpFrom(l20, '198.51.100.30', { sport: 45000, dport: 443, flags: 'S', seq: 1 }),
      icmpFrom(wan('192.168.1.1'), HOST, {
        icmpType: 3,
        icmpCode: 0,
        quote: {
          src: HOST,
          dst: '198.51.100.30',
          proto: 'tcp',
          sport: 45000,
          dport: 443,
          flags: 'S',
          seq: 1,
          ttl: 63,
          quoteBytes: 8,
        },
      }),
    ]),
  },
};

// ---------------------------------------------------------------------------------------------
// REJECT: every --reject-with for IPv4, in INPUT (host) and FORWARD (router).

const ICMP_TYPES = [
  'icmp-net-unreachable',
  'icmp-host-unreachable',
  'icmp-port-unreachable',
  'icmp-proto-unreachable',
  'icmp-net-prohibited',
  'icmp-host-prohibited',
  'icmp-admin-prohibited',
] as const;

function rejectScenario(chain: 'INPUT' | 'FORWARD', proto: 'tcp' | 'udp' | 'icmp'): ScenarioSource {
  const kinds: string[] = [...ICMP_TYPES, ...(proto === 'tcp' ? ['tcp-reset'] : [])];
  const input = chain === 'INPUT';
  const sender = (i: number) =>
    input ? wan(`203.0.113.${i + 1}`) : lan(`10.0.0.${20 + i}`, `02:00:00:00:00:${20 + i}`);
  const dst = input ? HOST : '198.51.100.20';
  // ICMP packets are told apart by source, TCP and UDP by port.
  const select = (i: number) =>
    proto === 'icmp' ? `-s ${sender(i).ip}/32 -p icmp` : `-p ${proto} -m ${proto} --dport ${1001 + i}`;
  const rules = kinds.map((k, i) => `-A ${chain} ${select(i)} -j REJECT --reject-with ${k}`);
  const packets = kinds.map((_, i) =>
    proto === 'tcp'
      ? tcpFrom(sender(i), dst, { sport: 40000 + i, dport: 1001 + i, flags: 'S', seq: 1000 * i })
      : proto === 'udp'
        ? udpFrom(sender(i), dst, { sport: 40000 + i, dport: 1001 + i, payload: `u${i}` })
        : icmpFrom(sender(i), dst, { id: 100 + i, payload: `ping${i}` }),
  );
  const host: TopologyDescription = input
    ? single
    : routerNeigh(
        ...kinds.map((_, i) => `10.0.0.${20 + i} lladdr 02:00:00:00:00:${20 + i} dev eth1 nud permanent`),
      );
  return {
    host,
    rules: `${filterAccept}${rules.join('\n')}\nCOMMIT\n`,
    settings: {
      description: `REJECT in ${chain} of ${proto.toUpperCase()} with every --reject-with (${kinds.length}): the reply's type, code, source and quote`,
    },
    packets: timed(packets),
  };
}

const REJ: Record<string, ScenarioSource> = {
  'rej-input-tcp': rejectScenario('INPUT', 'tcp'),
  'rej-input-udp': rejectScenario('INPUT', 'udp'),
  'rej-input-icmp': rejectScenario('INPUT', 'icmp'),
  'rej-forward-tcp': rejectScenario('FORWARD', 'tcp'),
  'rej-forward-udp': rejectScenario('FORWARD', 'udp'),
  'rej-forward-icmp': rejectScenario('FORWARD', 'icmp'),
  'rej-sends-nothing': {
    host: single,
    rules: `${filterAccept}-A INPUT -p icmp -j REJECT --reject-with icmp-port-unreachable
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
COMMIT
`,
    settings: {
      description:
        'REJECT that sends nothing: no ICMP error about an ICMP error, no reset for a RST — next to the same rules answering an echo and a SYN',
    },
    packets: timed([
      icmpFrom(wan('203.0.113.7'), HOST, { id: 5, payload: 'echo' }),
      icmpFrom(wan('203.0.113.7'), HOST, {
        icmpType: 3,
        icmpCode: 1,
        quote: { src: HOST, dst: '203.0.113.7', proto: 'udp', sport: 5000, dport: 6000, payload: 'x' },
      }),
      icmpFrom(wan('203.0.113.7'), HOST, {
        icmpType: 11,
        icmpCode: 0,
        quote: { src: HOST, dst: '203.0.113.7', proto: 'tcp', sport: 5000, dport: 6000, flags: 'S', seq: 9 },
      }),
      tcpFrom(wan('203.0.113.7'), HOST, { sport: 5004, dport: 6004, flags: 'R', seq: 1 }),
      tcpFrom(wan('203.0.113.7'), HOST, { sport: 5005, dport: 6004, flags: 'RA', seq: 1, ack: 7 }),
      tcpFrom(wan('203.0.113.7'), HOST, { sport: 5006, dport: 6005, flags: 'S', seq: 1 }),
    ]),
  },
  'rej-fragments': {
    host: single,
    rules: `${filterAccept}-A INPUT -p udp -j REJECT --reject-with icmp-port-unreachable
-A INPUT -f -j REJECT --reject-with icmp-port-unreachable
COMMIT
`,
    settings: {
      description:
        'REJECT and fragments: a lone first fragment and a lone later fragment are held for reassembly and never reach the rules; a whole datagram is answered',
    },
    packets: timed([
      udpFrom(wan('203.0.113.7'), HOST, {
        sport: 5001,
        dport: 6001,
        payload: 'first-fragment',
        ipId: 42,
        moreFragments: true,
      }),
      udpFrom(wan('203.0.113.7'), HOST, {
        sport: 5002,
        dport: 6002,
        payload: 'later',
        ipId: 43,
        fragOffset: 3,
      }),
      udpFrom(wan('203.0.113.7'), HOST, { sport: 5003, dport: 6003, payload: 'whole' }),
    ]),
  },
  'rej-broadcast': {
    host: single,
    rules: `${filterAccept}-A INPUT -p udp -j REJECT --reject-with icmp-port-unreachable
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
COMMIT
`,
    settings: {
      description:
        'REJECT of packets to the subnet broadcast address matches but sends nothing (icmp_send and nf_send_reset refuse broadcast routes); unicast is answered',
    },
    packets: timed([
      udpFrom(wan('192.168.1.50'), '192.168.1.255', { sport: 5006, dport: 6006, payload: 'bcast' }),
      udpFrom(wan('192.168.1.50'), '255.255.255.255', { sport: 5007, dport: 6007, payload: 'all' }),
      tcpFrom(wan('192.168.1.50'), '192.168.1.255', { sport: 5008, dport: 6008, flags: 'S', seq: 1 }),
      udpFrom(wan('192.168.1.50'), HOST, { sport: 5009, dport: 6009, payload: 'unicast' }),
    ]),
  },
};

export const DOCK_NAT_REJ_SCENARIOS: Readonly<Record<string, ScenarioSource>> = { ...DOCK, ...NAT, ...REJ };
