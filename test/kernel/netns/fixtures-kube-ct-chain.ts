// Scenarios for make-fixtures.ts: kube-proxy-style services (kube-*), connection tracking
// (ct-*), chain traversal (chain-*) and single matches (match-*). Each is small and says in its
// description what it checks and why.

import type { TopologyDescription } from './host-json-from-netns.js';
import type { ScenarioSource } from './make-fixtures.js';
import type { PacketSpec } from './trace-writer.js';

const ETH0 = '52:54:00:12:34:56'; // 192.168.1.10/24, the uplink (a Kubernetes node's IP)
const ETH1 = '52:54:00:ab:cd:ef'; // 10.0.0.1/24: endpoints (pods) 10.0.0.20, 10.0.0.21
const ETH2 = '52:54:00:ab:cd:02'; // 10.0.1.1/24: client pods 10.0.1.30
const GW = '02:00:5e:00:01:01'; // 192.168.1.1
const WAN50 = '02:00:00:00:00:50'; // 192.168.1.50, on-link client
const POD20 = '02:00:00:00:00:20';
const POD21 = '02:00:00:00:00:21';
const POD30 = '02:00:00:00:01:30';

const gwNeigh = `192.168.1.1 lladdr ${GW} dev eth0 nud permanent`;
const uplink = { name: 'eth0', mac: ETH0, mtu: 1500, addrs: ['192.168.1.10/24'] };
const lan = { name: 'eth1', mac: ETH1, mtu: 1500, addrs: ['10.0.0.1/24'] };

/** A router: WAN eth0, LAN eth1, forwarding on. */
const router: TopologyDescription = {
  interfaces: [uplink, lan],
  routes: ['default via 192.168.1.1 dev eth0'],
  neighbours: [gwNeigh],
  sysctl: { 'net.ipv4.ip_forward': 1 },
};
const withSysctl = (t: TopologyDescription, s: Record<string, number>): TopologyDescription => ({
  ...t,
  sysctl: { ...t.sysctl, ...s },
});

/** A Kubernetes node: endpoints behind eth1, client pods behind eth2 (no hairpin unless wanted). */
const node: TopologyDescription = {
  ...router,
  interfaces: [uplink, lan, { name: 'eth2', mac: ETH2, mtu: 1500, addrs: ['10.0.1.1/24'] }],
};

const wan = { if: 'eth0', srcMac: WAN50, dstMac: ETH0, src: '192.168.1.50' };
const pod20 = { if: 'eth1', srcMac: POD20, dstMac: ETH1, src: '10.0.0.20' };
const pod21 = { if: 'eth1', srcMac: POD21, dstMac: ETH1, src: '10.0.0.21' };
const pod30 = { if: 'eth2', srcMac: POD30, dstMac: ETH2, src: '10.0.1.30' };

type P = Omit<PacketSpec, 'proto' | 't'> & { readonly t?: number };
/** Packets at `step` seconds apart (trace time; the replay spaces them by spacingMs unless gaps). */
function seq(step: number, ...ps: (PacketSpec | [number, PacketSpec])[]): PacketSpec[] {
  return ps.map((p, i) => (Array.isArray(p) ? { ...p[1], t: p[0] } : { ...p, t: i * step }));
}
const tcp = (p: P): PacketSpec => ({ proto: 'tcp', t: 0, ...p });
const udp = (p: P): PacketSpec => ({ proto: 'udp', t: 0, ...p });
const icmp = (p: P): PacketSpec => ({ proto: 'icmp', t: 0, ...p });

/** One side of a conversation: where its frames enter and its address. */
interface End {
  readonly if: string;
  readonly srcMac: string;
  readonly dstMac: string;
  readonly src: string;
}

/**
 * The two directions of a TCP connection with sequence numbers kept right; each packet's `dst`
 * is the caller's to set (NAT decides what the peer's address looks like).
 */
function tcpConn(client: End, server: End, cport: number, sport: number, cisn = 1000, sisn = 5000) {
  let c = cisn;
  let s = sisn;
  const fromClient = (flags: string, data = '') => {
    const p = tcp({
      ...client,
      dst: '',
      sport: cport,
      dport: sport,
      flags,
      seq: c,
      ack: flags.includes('A') ? s : 0,
      ...(data ? { payload: data } : {}),
    });
    c += data.length + (flags.includes('S') || flags.includes('F') ? 1 : 0);
    return p;
  };
  const fromServer = (flags: string, data = '') => {
    const p = tcp({
      ...server,
      dst: '',
      sport,
      dport: cport,
      flags,
      seq: s,
      ack: flags.includes('A') ? c : 0,
      ...(data ? { payload: data } : {}),
    });
    s += data.length + (flags.includes('S') || flags.includes('F') ? 1 : 0);
    return p;
  };
  return { c: fromClient, s: fromServer };
}

const NAT_HEAD =
  '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n';
const filter = (input = 'ACCEPT', forward = 'ACCEPT') =>
  `*filter\n:INPUT ${input} [0:0]\n:FORWARD ${forward} [0:0]\n:OUTPUT ACCEPT [0:0]\n`;

// ---------------------------------------------------------------------------------------------
// kube-proxy

/** kube-proxy's nat table for one ClusterIP service (10.96.0.10:80) with the given endpoint chains. */
function kubeNat(opts: {
  masq: string;
  services: string;
  nodeports?: string;
  chains: string[];
  rules: string;
}): string {
  return `${NAT_HEAD}:KUBE-MARK-DROP - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SERVICES - [0:0]
${opts.chains.map((c) => `:${c} - [0:0]\n`).join('')}-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
${opts.nodeports ?? ''}-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j ${opts.masq}
${opts.services}-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
${opts.rules}COMMIT
`;
}

/** kube-proxy's filter table: KUBE-FIREWALL drops KUBE-MARK-DROP'ed packets; KUBE-FORWARD accepts marked and established traffic. */
function kubeFilter(services = '', external = ''): string {
  return `${filter('ACCEPT', 'DROP')}:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-SERVICES - [0:0]
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes dnat'ed service traffic" -m conntrack --ctstate DNAT -j ACCEPT
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -j KUBE-FIREWALL
${external}-A KUBE-FIREWALL -m comment --comment "kubernetes firewall for dropping marked packets" -m mark --mark 0x8000/0x8000 -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
${services}COMMIT
`;
}

const WEB_SVC = `-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-WEB
`;
const webSvc = (
  seps: string,
) => `-A KUBE-SVC-WEB ! -s 10.0.0.0/16 -d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
${seps}`;
const sep = (
  chain: string,
  ip: string,
) => `-A ${chain} -s ${ip}/32 -m comment --comment "default/web:http" -j KUBE-MARK-MASQ
-A ${chain} -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination ${ip}:8080
`;

const lanHost = { if: 'eth1', srcMac: POD20, dstMac: ETH1, src: '10.0.0.20' };
const fromGw = { if: 'eth0', srcMac: GW, dstMac: ETH0 };

/** Counting rules (no target) for each conntrack state, then INVALID dropped. */
const CT_COUNT = `-A FORWARD -m conntrack --ctstate INVALID
-A FORWARD -m conntrack --ctstate NEW
-A FORWARD -m conntrack --ctstate ESTABLISHED
-A FORWARD -m conntrack --ctstate RELATED
-A FORWARD -m conntrack --ctstate UNTRACKED
-A FORWARD -m conntrack --ctstate INVALID -j DROP
`;

/** TCP packets matching no connection, WAN → LAN, then the LAN side answering the stray ACK. */
const STRAYS: PacketSpec[] = [
  tcp({ ...wan, dst: '10.0.0.20', sport: 49000, dport: 80, flags: 'SA', seq: 100, ack: 200 }),
  tcp({ ...wan, dst: '10.0.0.20', sport: 49001, dport: 80, flags: 'R', seq: 100 }),
  tcp({ ...wan, dst: '10.0.0.20', sport: 49002, dport: 80, flags: 'FA', seq: 100, ack: 200 }),
  tcp({ ...wan, dst: '10.0.0.20', sport: 49003, dport: 80, flags: 'A', seq: 100, ack: 200 }),
  tcp({ ...lanHost, dst: '192.168.1.50', sport: 80, dport: 49003, flags: 'A', seq: 200, ack: 100 }),
  tcp({
    ...wan,
    dst: '10.0.0.20',
    sport: 49004,
    dport: 80,
    flags: 'PA',
    seq: 100,
    ack: 200,
    payload: 'data',
  }),
];

export const KUBE_CT_CHAIN_SCENARIOS: Record<string, ScenarioSource> = {
  'kube-clusterip-single-endpoint': (() => {
    const pod = tcpConn(pod30, pod20, 41000, 8080);
    const ext = tcpConn(wan, pod20, 42000, 8080);
    const to = { dst: '10.96.0.10' };
    return {
      host: node,
      rules:
        kubeNat({
          masq: 'MASQUERADE --random-fully',
          services: WEB_SVC,
          chains: ['KUBE-SEP-WEB1', 'KUBE-SVC-WEB'],
          rules:
            sep('KUBE-SEP-WEB1', '10.0.0.20') +
            webSvc(
              '-A KUBE-SVC-WEB -m comment --comment "default/web:http -> 10.0.0.20:8080" -j KUBE-SEP-WEB1\n',
            ),
        }) + kubeFilter(),
      settings: {
        description:
          'ClusterIP with one endpoint: a pod client is DNATed unmasqueraded (whole handshake, replies un-DNATed); an outside client is marked and MASQUERADEd --random-fully (forward packets only: the port is random)',
      },
      packets: seq(
        0.01,
        { ...pod.c('S'), ...to, dport: 80 },
        { ...pod.s('SA'), dst: '10.0.1.30' },
        { ...pod.c('A'), ...to, dport: 80 },
        { ...pod.c('PA', 'GET /'), ...to, dport: 80 },
        { ...ext.c('S'), ...to, dport: 80 },
        { ...ext.c('S'), ...to, dport: 80, seq: 1000 },
      ),
    };
  })(),
  'kube-nodeport': (() => {
    const c = tcpConn(wan, pod21, 43000, 8080);
    const np = { dst: '192.168.1.10', dport: 30080 };
    return {
      host: node,
      rules:
        kubeNat({
          masq: 'MASQUERADE',
          services: WEB_SVC,
          nodeports: '',
          chains: ['KUBE-EXT-WEB', 'KUBE-SEP-WEB2', 'KUBE-SVC-WEB'],
          rules: `-A KUBE-EXT-WEB -m comment --comment "masquerade traffic for default/web:http external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-WEB -j KUBE-SVC-WEB
-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web:http" -m tcp --dport 30080 -j KUBE-EXT-WEB
${sep('KUBE-SEP-WEB2', '10.0.0.21')}${webSvc('-A KUBE-SVC-WEB -m comment --comment "default/web:http -> 10.0.0.21:8080" -j KUBE-SEP-WEB2\n')}`,
        }) + kubeFilter(),
      settings: {
        description:
          'NodePort 30080 on the node IP: addrtype LOCAL → KUBE-NODEPORTS → DNAT to 10.0.0.21:8080 and MASQUERADE (ports kept), handshake both ways; the unmasqueraded port 30081 goes to the host',
      },
      packets: seq(
        0.01,
        { ...c.c('S'), ...np },
        { ...c.s('SA'), dst: '10.0.0.1', dport: 43000 },
        { ...c.c('A'), ...np },
        { ...c.c('FA'), ...np },
        { ...c.s('FA'), dst: '10.0.0.1', dport: 43000 },
        { ...c.c('A'), ...np },
        tcp({ ...wan, dst: '192.168.1.10', sport: 43001, dport: 30081, flags: 'S', seq: 1 }),
      ),
    };
  })(),
  'kube-no-endpoints-reject': {
    host: node,
    rules:
      kubeNat({ masq: 'MASQUERADE', services: '', chains: [], rules: '' }) +
      kubeFilter(
        `-A KUBE-SERVICES -d 10.96.0.11/32 -p tcp -m comment --comment "default/empty:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable
`,
        `-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/empty:http has no endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30090 -j REJECT --reject-with icmp-port-unreachable
`,
      ),
    settings: {
      description:
        'services without endpoints: the ClusterIP is REJECTed in filter FORWARD via KUBE-SERVICES, the NodePort in INPUT via KUBE-EXTERNAL-SERVICES (port unreachable); another port passes',
    },
    packets: seq(
      0.01,
      tcp({ ...pod30, dst: '10.96.0.11', sport: 44000, dport: 80, flags: 'S', seq: 1 }),
      tcp({ ...wan, dst: '192.168.1.10', sport: 44001, dport: 30090, flags: 'S', seq: 1 }),
      udp({ ...pod30, dst: '10.96.0.11', sport: 44002, dport: 80, payload: 'x' }),
      tcp({ ...pod30, dst: '10.96.0.11', sport: 44000, dport: 80, flags: 'S', seq: 1 }),
    ),
  },
  'kube-external-local': (() => {
    const c = tcpConn(wan, pod20, 45000, 8080);
    const np = { dst: '192.168.1.10', dport: 30100 };
    return {
      host: node,
      rules:
        kubeNat({
          masq: 'MASQUERADE',
          services: WEB_SVC,
          chains: [
            'KUBE-EXT-LOCAL',
            'KUBE-EXT-NONE',
            'KUBE-SEP-WEB1',
            'KUBE-SVC-WEB',
            'KUBE-SVL-LOCAL',
            'KUBE-SVL-NONE',
          ],
          rules: `-A KUBE-EXT-LOCAL -s 10.0.0.0/16 -m comment --comment "pod traffic for default/web:http external destinations" -j KUBE-SVC-WEB
-A KUBE-EXT-LOCAL -m comment --comment "masquerade LOCAL traffic for default/web:http external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
-A KUBE-EXT-LOCAL -m comment --comment "route LOCAL traffic for default/web:http external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-WEB
-A KUBE-EXT-LOCAL -j KUBE-SVL-LOCAL
-A KUBE-EXT-NONE -s 10.0.0.0/16 -j KUBE-SVC-WEB
-A KUBE-EXT-NONE -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
-A KUBE-EXT-NONE -m addrtype --src-type LOCAL -j KUBE-SVC-WEB
-A KUBE-EXT-NONE -j KUBE-SVL-NONE
-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web:http" -m tcp --dport 30100 -j KUBE-EXT-LOCAL
-A KUBE-NODEPORTS -p tcp -m comment --comment "default/other:http" -m tcp --dport 30101 -j KUBE-EXT-NONE
${sep('KUBE-SEP-WEB1', '10.0.0.20')}${webSvc('-A KUBE-SVC-WEB -j KUBE-SEP-WEB1\n')}-A KUBE-SVL-LOCAL -m comment --comment "default/web:http -> 10.0.0.20:8080" -j KUBE-SEP-WEB1
-A KUBE-SVL-NONE -m comment --comment "default/other:http has no local endpoints" -j KUBE-MARK-DROP
`,
        }) + kubeFilter(),
      settings: {
        description:
          'externalTrafficPolicy Local: NodePort 30100 with a local endpoint is DNATed keeping the client address (replies too); 30101 without local endpoints is KUBE-MARK-DROPped and dropped by KUBE-FIREWALL',
      },
      packets: seq(
        0.01,
        { ...c.c('S'), ...np },
        { ...c.s('SA'), dst: '192.168.1.50', dport: 45000 },
        { ...c.c('A'), ...np },
        tcp({ ...wan, dst: '192.168.1.10', sport: 45001, dport: 30101, flags: 'S', seq: 1 }),
        tcp({ ...wan, dst: '192.168.1.10', sport: 45001, dport: 30101, flags: 'S', seq: 1 }),
      ),
    };
  })(),
  'kube-statistic-edges': (() => {
    const to = { dst: '10.96.0.10', dport: 80 };
    return {
      host: node,
      rules:
        kubeNat({
          masq: 'MASQUERADE',
          services: `${WEB_SVC}-A KUBE-SERVICES -d 10.96.0.12/32 -p tcp -m comment --comment "default/api:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-API
`,
          chains: ['KUBE-SEP-WEB1', 'KUBE-SEP-WEB2', 'KUBE-SVC-API', 'KUBE-SVC-WEB'],
          rules: `${sep('KUBE-SEP-WEB1', '10.0.0.20')}${sep('KUBE-SEP-WEB2', '10.0.0.21')}-A KUBE-SVC-API -m comment --comment "default/api:http -> 10.0.0.20:8080" -m statistic --mode random --probability 1.00000000000 -j KUBE-SEP-WEB1
-A KUBE-SVC-API -m comment --comment "default/api:http -> 10.0.0.21:8080" -j KUBE-SEP-WEB2
${webSvc(`-A KUBE-SVC-WEB -m comment --comment "default/web:http -> 10.0.0.20:8080" -m statistic --mode random --probability 0.00000000000 -j KUBE-SEP-WEB1
-A KUBE-SVC-WEB -m comment --comment "default/web:http -> 10.0.0.21:8080" -j KUBE-SEP-WEB2
`)}`,
        }) + kubeFilter(),
      settings: {
        description:
          'statistic --mode random at the edges, where no draw matters: probability 0 never picks its endpoint, 1.0 always does; only NEW packets pass nat, so each connection keeps its endpoint',
      },
      packets: seq(
        0.01,
        tcp({ ...pod30, ...to, sport: 46000, flags: 'S', seq: 1 }),
        tcp({ ...pod30, ...to, sport: 46001, flags: 'S', seq: 1 }),
        tcp({ ...pod30, ...to, dst: '10.96.0.12', sport: 46002, flags: 'S', seq: 1 }),
        tcp({ ...pod30, ...to, dst: '10.96.0.12', sport: 46003, flags: 'S', seq: 1 }),
        tcp({ ...pod30, ...to, sport: 46000, flags: 'S', seq: 1 }),
      ),
    };
  })(),
  'kube-hairpin': (() => {
    const to = { dst: '10.96.0.10', dport: 80 };
    return {
      host: node,
      rules:
        kubeNat({
          masq: 'MASQUERADE',
          services: WEB_SVC,
          chains: ['KUBE-SEP-WEB1', 'KUBE-SVC-WEB'],
          rules: sep('KUBE-SEP-WEB1', '10.0.0.20') + webSvc('-A KUBE-SVC-WEB -j KUBE-SEP-WEB1\n'),
        }) + kubeFilter(),
      settings: {
        description:
          'hairpin: the endpoint 10.0.0.20 reaching its own service is marked by KUBE-SEP and MASQUERADEd to 10.0.0.1 back out of the interface it came in on; its neighbour 10.0.0.21 is not',
      },
      packets: seq(
        0.01,
        tcp({ ...pod20, ...to, sport: 47000, flags: 'S', seq: 1 }),
        tcp({ ...pod20, dst: '10.0.0.1', sport: 8080, dport: 47000, flags: 'SA', seq: 9, ack: 2 }),
        tcp({ ...pod21, ...to, sport: 47001, flags: 'S', seq: 1 }),
      ),
    };
  })(),

  // -------------------------------------------------------------------------------------------
  // conntrack

  'ct-invalid-synack-loose': {
    host: router,
    rules: `${filter()}${CT_COUNT}COMMIT\n`,
    settings: {
      description:
        'packets without a connection under nf_conntrack_tcp_loose=1: SYN-ACK, RST and FIN are INVALID, a stray ACK or data is picked up as NEW, then its peer is ESTABLISHED',
    },
    packets: seq(0.01, ...STRAYS),
  },
  'ct-invalid-loose0': {
    host: withSysctl(router, { 'net.netfilter.nf_conntrack_tcp_loose': 0 }),
    rules: `${filter()}${CT_COUNT}COMMIT\n`,
    settings: {
      description:
        'the same stray packets with nf_conntrack_tcp_loose=0: nothing but a SYN may start a connection, so the ACK and the data are INVALID too',
    },
    packets: seq(0.01, ...STRAYS),
  },
  'ct-bad-checksum': {
    host: router,
    rules: `${filter()}${CT_COUNT}COMMIT\n`,
    settings: {
      description:
        'nf_conntrack_checksum=1 makes a TCP SYN or UDP datagram with a wrong checksum INVALID in PREROUTING (and unforwarded here); UDP checksum 0 means none and is NEW',
    },
    packets: seq(
      0.01,
      tcp({ ...wan, dst: '10.0.0.20', sport: 50000, dport: 80, flags: 'S', seq: 1, l4Checksum: 0xdead }),
      udp({ ...wan, dst: '10.0.0.20', sport: 50001, dport: 53, payload: 'bad', l4Checksum: 0xbeef }),
      udp({ ...wan, dst: '10.0.0.20', sport: 50002, dport: 53, payload: 'none', l4Checksum: 0 }),
      tcp({ ...wan, dst: '10.0.0.20', sport: 50000, dport: 80, flags: 'S', seq: 1 }),
    ),
  },
  'ct-rst-reopen': (() => {
    const c = tcpConn(wan, lanHost, 51000, 80);
    return {
      host: router,
      rules: `${filter()}${CT_COUNT}COMMIT\n`,
      settings: {
        description:
          "RST handling: an out-of-window RST is INVALID and changes nothing; after the client's in-window RST its new SYN on the same tuple reopens the connection as NEW",
      },
      packets: seq(
        0.01,
        { ...c.c('S'), dst: '10.0.0.20' },
        { ...c.s('SA'), dst: '192.168.1.50' },
        { ...c.c('A'), dst: '10.0.0.20' },
        { ...c.s('R'), dst: '192.168.1.50', seq: 5001 + 3_000_000 },
        { ...c.c('PA', 'hello'), dst: '10.0.0.20' },
        { ...c.c('R'), dst: '10.0.0.20' },
        tcp({ ...wan, dst: '10.0.0.20', sport: 51000, dport: 80, flags: 'S', seq: 90000 }),
      ),
    };
  })(),
  'ct-fin-timewait': (() => {
    const c = tcpConn(wan, lanHost, 52000, 80);
    const out = { dst: '10.0.0.20' };
    const back = { dst: '192.168.1.50' };
    return {
      host: router,
      rules: `${filter()}${CT_COUNT}COMMIT\n`,
      settings: {
        description:
          'FIN teardown: handshake, data, FIN/ACK both ways to TIME_WAIT (all ESTABLISHED), then a SYN on the same tuple reopens the connection as NEW',
      },
      packets: seq(
        0.01,
        { ...c.c('S'), ...out },
        { ...c.s('SA'), ...back },
        { ...c.c('A'), ...out },
        { ...c.c('PA', 'GET /'), ...out },
        { ...c.s('PA', 'HTTP/1.0 200'), ...back },
        { ...c.c('FA'), ...out },
        { ...c.s('A'), ...back },
        { ...c.s('FA'), ...back },
        { ...c.c('A'), ...out },
        tcp({ ...wan, ...out, sport: 52000, dport: 80, flags: 'S', seq: 700000 }),
      ),
    };
  })(),
  'ct-tcp-timeout-gap': (() => {
    const a = tcpConn(wan, lanHost, 53000, 80);
    const b = tcpConn(wan, lanHost, 53001, 80);
    const out = { dst: '10.0.0.20' };
    const back = { dst: '192.168.1.50' };
    return {
      host: withSysctl(router, {
        'net.netfilter.nf_conntrack_tcp_timeout_syn_sent': 1,
        'net.netfilter.nf_conntrack_tcp_timeout_established': 1,
      }),
      rules: `${filter()}${CT_COUNT}COMMIT\n`,
      settings: {
        gaps: true,
        description:
          'TCP timeouts shortened to 1 s: a SYN-ACK 1.6 s after its SYN finds no connection (INVALID); data 1.6 s after an established handshake is picked up again as NEW',
      },
      packets: seq(
        0,
        [0, { ...a.c('S'), ...out }],
        [0.02, { ...b.c('S'), ...out }],
        [0.04, { ...b.s('SA'), ...back }],
        [0.06, { ...b.c('A'), ...out }],
        [1.6, { ...a.s('SA'), ...back }],
        [1.7, { ...b.c('PA', 'late'), ...out }],
      ),
    };
  })(),
  'ct-udp-stream-gap': {
    host: withSysctl(router, {
      'net.netfilter.nf_conntrack_udp_timeout': 1,
      'net.netfilter.nf_conntrack_udp_timeout_stream': 2,
    }),
    rules: `${filter()}${CT_COUNT}COMMIT\n`,
    settings: {
      gaps: true,
      description:
        'UDP unreplied vs stream timeouts (1 s, 2 s): a flow still talking 2 s after it began becomes a stream and survives a 1.5 s gap; a replied flow silent for 1.35 s expires and its next datagram is NEW',
    },
    packets: seq(
      0,
      ...[0, 0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.3, 3.8].map((t, i): [number, PacketSpec] => [
        t,
        i % 2 === 0
          ? udp({ ...wan, dst: '10.0.0.20', sport: 54000, dport: 4000, payload: `q${i}` })
          : udp({ ...lanHost, dst: '192.168.1.50', sport: 4000, dport: 54000, payload: `r${i}` }),
      ]),
      [0.05, udp({ ...wan, dst: '10.0.0.20', sport: 54001, dport: 4000, payload: 'b0' })],
      [0.35, udp({ ...lanHost, dst: '192.168.1.50', sport: 4000, dport: 54001, payload: 'b1' })],
      [1.7, udp({ ...wan, dst: '10.0.0.20', sport: 54001, dport: 4000, payload: 'b2' })],
    ).sort((x, y) => x.t - y.t),
  },
  'ct-icmp-echo-timeout': {
    host: withSysctl(router, { 'net.netfilter.nf_conntrack_icmp_timeout': 1 }),
    rules: `${filter()}${CT_COUNT}COMMIT\n`,
    settings: {
      gaps: true,
      description:
        'ICMP echo with nf_conntrack_icmp_timeout=1: the reply is ESTABLISHED, a reply 1.4 s later finds no connection and is INVALID (replies never start one), a new request is NEW',
    },
    packets: seq(
      0,
      [0, icmp({ ...wan, dst: '10.0.0.20', icmpType: 8, id: 7, icmpSeq: 1 })],
      [0.1, icmp({ ...lanHost, dst: '192.168.1.50', icmpType: 0, id: 7, icmpSeq: 1 })],
      [1.5, icmp({ ...lanHost, dst: '192.168.1.50', icmpType: 0, id: 7, icmpSeq: 1 })],
      [1.55, icmp({ ...wan, dst: '10.0.0.20', icmpType: 8, id: 7, icmpSeq: 2 })],
    ),
  },
  'ct-match-nat-states': (() => {
    const d = tcpConn(wan, lanHost, 55000, 80);
    const s = tcpConn(lanHost, { ...fromGw, src: '203.0.113.9' }, 55001, 443);
    return {
      host: router,
      rules: `${NAT_HEAD}-A PREROUTING -d 192.168.1.10/32 -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.20:80
-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
${filter()}-A FORWARD -m conntrack --ctstate DNAT
-A FORWARD -m conntrack --ctstate SNAT
-A FORWARD -m conntrack --ctstate DNAT --ctdir ORIGINAL
-A FORWARD -m conntrack --ctstate DNAT --ctdir REPLY
-A FORWARD -m conntrack --ctorigdst 192.168.1.10 --ctorigdstport 8080
-A FORWARD -m conntrack --ctreplsrc 10.0.0.20 --ctreplsrcport 80
-A FORWARD -m conntrack --ctrepldst 192.168.1.10 --ctproto tcp
-A FORWARD -m conntrack --ctorigsrc 10.0.0.0/24 --ctorigsrcport 55001
-A FORWARD -m conntrack --ctstatus SEEN_REPLY
-A FORWARD -m conntrack --ctstatus ASSURED
-A FORWARD -m conntrack --ctstatus CONFIRMED
-A FORWARD -m conntrack ! --ctstatus SEEN_REPLY
-A FORWARD -m conntrack ! --ctstate NEW,ESTABLISHED
-A FORWARD -m state --state NEW
-A FORWARD -m state --state ESTABLISHED,RELATED
COMMIT
`,
      settings: {
        description:
          '-m conntrack against NAT: DNAT/SNAT virtual states, ctdir, orig/reply addresses and ports, ctproto, ctstatus (SEEN_REPLY, ASSURED, CONFIRMED), negations, and -m state, over a port forward and a MASQUERADEd client',
      },
      packets: seq(
        0.01,
        { ...d.c('S'), dst: '192.168.1.10', dport: 8080 },
        { ...d.s('SA'), dst: '192.168.1.50' },
        { ...d.c('A'), dst: '192.168.1.10', dport: 8080 },
        { ...d.s('PA', 'hi'), dst: '192.168.1.50' },
        { ...s.c('S'), dst: '203.0.113.9' },
        { ...s.s('SA'), dst: '192.168.1.10' },
        { ...s.c('A'), dst: '203.0.113.9' },
      ),
    };
  })(),
  'ct-connmark': (() => {
    const c = tcpConn(wan, lanHost, 56000, 22);
    const other = tcpConn(wan, lanHost, 56001, 80);
    return {
      host: router,
      rules: `*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff
-A PREROUTING -m mark ! --mark 0x0/0xff -j ACCEPT
-A PREROUTING -p tcp -m tcp --dport 22 -j MARK --set-xmark 0x7/0xff
-A PREROUTING -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x9/0xff
-A PREROUTING -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff
-A POSTROUTING -m connmark --mark 0x7
-A POSTROUTING -m connmark --mark 0x9/0xf
-A POSTROUTING -m mark --mark 0x7
-A POSTROUTING -j CONNMARK --set-xmark 0x100/0x100
-A POSTROUTING -m connmark --mark 0x100/0x100
COMMIT
${filter()}-A FORWARD -m connmark --mark 0x107 -j ACCEPT
-A FORWARD -m connmark --mark 0x7/0xff
-A FORWARD -m mark --mark 0x9
COMMIT
`,
      settings: {
        description:
          "CONNMARK: marks set on a connection's first packet are saved to the connection and restored to its replies (mask 0xff), CONNMARK --set-xmark in POSTROUTING, -m connmark and -m mark with masks",
      },
      packets: seq(
        0.01,
        { ...c.c('S'), dst: '10.0.0.20' },
        { ...c.s('SA'), dst: '192.168.1.50' },
        { ...c.c('A'), dst: '10.0.0.20' },
        { ...other.c('S'), dst: '10.0.0.20' },
        { ...other.s('SA'), dst: '192.168.1.50' },
      ),
    };
  })(),
  'ct-notrack': {
    host: router,
    rules: `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK
-A PREROUTING -p udp -m udp --dport 123 -j CT --notrack
COMMIT
${NAT_HEAD}-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
${filter()}-A FORWARD -m conntrack --ctstate UNTRACKED
-A FORWARD -m state --state UNTRACKED
-A FORWARD -m state --state NEW
-A FORWARD -m conntrack --ctstate INVALID,UNTRACKED -j ACCEPT
-A FORWARD -m conntrack --ctstate NEW
COMMIT
`,
    settings: {
      description:
        'NOTRACK and CT --notrack in raw PREROUTING: those datagrams are UNTRACKED (-m conntrack and -m state), skip nat (leave unMASQUERADEd) and create no connection; other UDP is NEW and MASQUERADEd',
    },
    packets: seq(
      0.01,
      udp({ ...lanHost, dst: '8.8.8.8', sport: 5000, dport: 53, payload: 'dns' }),
      udp({ ...lanHost, dst: '8.8.8.8', sport: 5001, dport: 123, payload: 'ntp' }),
      udp({ ...lanHost, dst: '8.8.8.8', sport: 5002, dport: 5353, payload: 'other' }),
      udp({ ...fromGw, src: '8.8.8.8', dst: '10.0.0.20', sport: 53, dport: 5000, payload: 'answer' }),
    ),
  },

  // -------------------------------------------------------------------------------------------
  // chains

  'chain-goto-jump': {
    host: router,
    rules: `${filter()}:A - [0:0]
:B - [0:0]
:C - [0:0]
-A FORWARD -j A
-A FORWARD -p tcp
-A FORWARD -p udp -g C
-A FORWARD
-A A -p tcp -g B
-A A
-A A -p udp -j RETURN
-A A
-A B -p tcp -m tcp --dport 22 -j RETURN
-A B -j C
-A B
-A C -p udp -m udp --dport 53 -j DROP
-A C
COMMIT
`,
    settings: {
      description:
        'goto vs jump: RETURN from a chain entered by -g goes back past the chain that jumped (to FORWARD, skipping the rest of A); falling off the end of a goto target does the same; a goto from a built-in chain ends in its policy',
    },
    packets: seq(
      0.01,
      tcp({ ...wan, dst: '10.0.0.20', sport: 57000, dport: 22, flags: 'S', seq: 1 }),
      tcp({ ...wan, dst: '10.0.0.20', sport: 57001, dport: 80, flags: 'S', seq: 1 }),
      udp({ ...wan, dst: '10.0.0.20', sport: 57002, dport: 53, payload: 'q' }),
      udp({ ...wan, dst: '10.0.0.20', sport: 57003, dport: 54, payload: 'q' }),
      icmp({ ...wan, dst: '10.0.0.20', icmpType: 8, id: 3 }),
    ),
  },
  'chain-return-nested': {
    host: router,
    rules: `${filter('ACCEPT', 'DROP')}:L1 - [0:0]
:L2 - [0:0]
:L3 - [0:0]
-A FORWARD -j L1
-A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT
-A FORWARD
-A L1 -j L2
-A L1 -p tcp -m tcp --dport 81 -j ACCEPT
-A L1
-A L2 -p tcp -m tcp --dport 80 -j RETURN
-A L2 -j L3
-A L2 -p tcp -m tcp --dport 82 -j ACCEPT
-A L2
-A L3 -p tcp -m tcp --dport 81 -j RETURN
-A L3 -p tcp -m tcp --dport 83 -j ACCEPT
COMMIT
`,
    settings: {
      description:
        'RETURN from nested user chains resumes the caller after its jump, one level at a time; the last chain falls off its end; what nothing accepts meets FORWARD policy DROP',
    },
    packets: [80, 81, 82, 83, 84].map((dport, i) =>
      tcp({ ...wan, t: i * 0.01, dst: '10.0.0.20', sport: 58000 + i, dport, flags: 'S', seq: 1 }),
    ),
  },
  'chain-builtin-return': {
    host: withSysctl(router, {}),
    rules: `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 81 -j RETURN
-A PREROUTING -p tcp
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 82 -j RETURN
-A PREROUTING -p tcp
-A FORWARD -j RETURN
-A FORWARD
-A POSTROUTING -p tcp -m tcp --dport 83 -j RETURN
-A POSTROUTING -p tcp
COMMIT
${NAT_HEAD}-A PREROUTING -p tcp -m tcp --dport 84 -j RETURN
-A PREROUTING -p tcp
-A POSTROUTING -j RETURN
-A POSTROUTING -j MASQUERADE
COMMIT
${filter('DROP', 'DROP')}-A INPUT -p tcp -m tcp --dport 85 -j RETURN
-A INPUT -p tcp -j ACCEPT
-A FORWARD -p tcp -m tcp --dport 86 -j RETURN
-A FORWARD -p tcp -j ACCEPT
COMMIT
`,
    settings: {
      description:
        'RETURN in a built-in chain of each table (raw, mangle, nat, filter) ends that chain with its policy: ACCEPT moves on to the next table, DROP (filter INPUT/FORWARD) drops; nat POSTROUTING RETURN skips the MASQUERADE',
    },
    packets: [
      ...[81, 82, 83, 84, 86, 87].map((dport, i) =>
        tcp({ ...lanHost, t: i * 0.01, dst: '203.0.113.5', sport: 59000 + i, dport, flags: 'S', seq: 1 }),
      ),
      tcp({ ...wan, t: 0.06, dst: '192.168.1.10', sport: 59010, dport: 85, flags: 'S', seq: 1 }),
      tcp({ ...wan, t: 0.07, dst: '192.168.1.10', sport: 59011, dport: 99, flags: 'S', seq: 1 }),
    ],
  },
  'chain-counting-only': {
    host: router,
    rules: `${filter('DROP', 'DROP')}:COUNT - [0:0]
-A INPUT
-A INPUT -p udp
-A INPUT -j COUNT
-A FORWARD -i eth1
-A FORWARD -i eth0
-A FORWARD -j COUNT
-A COUNT -p tcp
-A COUNT -p icmp
COMMIT
`,
    settings: {
      description:
        'rules without a target only count (packets and bytes), jumps to a chain of such rules return, and everything meets the DROP policies of filter INPUT and FORWARD',
    },
    packets: seq(
      0.01,
      tcp({ ...wan, dst: '192.168.1.10', sport: 60000, dport: 22, flags: 'S', seq: 1 }),
      udp({ ...wan, dst: '192.168.1.10', sport: 60001, dport: 53, payload: 'hello world' }),
      icmp({ ...lanHost, dst: '8.8.8.8', icmpType: 8, id: 9 }),
      tcp({
        ...wan,
        dst: '10.0.0.20',
        sport: 60002,
        dport: 80,
        flags: 'S',
        seq: 1,
        payload: 'x'.repeat(100),
      }),
    ),
  },
  'chain-limit-burst': {
    host: router,
    rules: `${filter()}-A FORWARD -p udp -m limit --limit 1/sec --limit-burst 3 -j ACCEPT
-A FORWARD -p udp -m limit --limit 10/hour --limit-burst 1 -j ACCEPT
-A FORWARD -p udp -j DROP
COMMIT
`,
    settings: {
      description:
        '-m limit token buckets back to back (2 ms apart, far from any refill): a burst of 3 at 1/s passes 3, a second bucket of 1 takes one more, the rest are dropped',
    },
    packets: [0, 1, 2, 3, 4, 5, 6].map((i) =>
      udp({ ...wan, t: i * 0.002, dst: '10.0.0.20', sport: 61000 + i, dport: 7, payload: `p${i}` }),
    ),
  },
  'chain-limit-refill-gap': {
    host: router,
    rules: `${filter()}-A FORWARD -p udp -m limit --limit 1/sec --limit-burst 2 -j ACCEPT
-A FORWARD -p udp -j DROP
COMMIT
`,
    settings: {
      gaps: true,
      description:
        '-m limit refill with real gaps: burst 2 at 1/s spends its credit, 1.5 s later one credit has come back (not two), so one of the next two passes; margins of 0.5 s absorb jitter and the HZ difference',
    },
    packets: [0, 0.01, 0.02, 1.5, 1.51].map((t, i) =>
      udp({ ...wan, t, dst: '10.0.0.20', sport: 62000 + i, dport: 7, payload: `p${i}` }),
    ),
  },
  // -------------------------------------------------------------------------------------------
  // matches

  'match-recent-hitcount': {
    host: router,
    rules: `${filter()}-A FORWARD -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m recent --set --name SSH --mask 255.255.255.255 --rsource
-A FORWARD -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m recent --rcheck --seconds 60 --hitcount 3 --name SSH --mask 255.255.255.255 --rsource -j DROP
-A FORWARD -p tcp -m tcp --dport 23 -m recent --rcheck --name SSH --mask 255.255.255.255 --rsource
-A FORWARD -p tcp -m tcp --dport 24 -m recent --remove --name SSH --mask 255.255.255.255 --rsource
-A FORWARD -p tcp -m tcp --dport 25 -m recent ! --rcheck --name SSH --mask 255.255.255.255 --rsource
COMMIT
`,
    settings: {
      description:
        '-m recent SSH throttling: --set records each NEW attempt, --rcheck --hitcount 3 drops the third and later within 60 s, another source is not counted; --remove forgets the address, ! --rcheck then matches',
    },
    packets: [
      ...[0, 1, 2, 3].map((i) =>
        tcp({ ...wan, t: i * 0.01, dst: '10.0.0.20', sport: 63000 + i, dport: 22, flags: 'S', seq: 1 }),
      ),
      tcp({
        ...fromGw,
        src: '198.51.100.3',
        t: 0.04,
        dst: '10.0.0.20',
        sport: 63010,
        dport: 22,
        flags: 'S',
        seq: 1,
      }),
      tcp({ ...wan, t: 0.05, dst: '10.0.0.20', sport: 63020, dport: 23, flags: 'S', seq: 1 }),
      tcp({ ...wan, t: 0.06, dst: '10.0.0.20', sport: 63021, dport: 24, flags: 'S', seq: 1 }),
      tcp({ ...wan, t: 0.07, dst: '10.0.0.20', sport: 63022, dport: 25, flags: 'S', seq: 1 }),
      tcp({ ...wan, t: 0.08, dst: '10.0.0.20', sport: 63004, dport: 22, flags: 'S', seq: 1 }),
    ],
  },
  'match-multiport-iprange': {
    host: router,
    rules: `${filter()}-A FORWARD -p tcp -m multiport --dports 22,80:90,443
-A FORWARD -p tcp -m multiport ! --dports 22,80:90,443
-A FORWARD -p udp -m multiport --sports 53,123
-A FORWARD -p tcp -m multiport --ports 8080
-A FORWARD -m iprange --src-range 192.168.1.40-192.168.1.60
-A FORWARD -m iprange ! --src-range 192.168.1.40-192.168.1.60
-A FORWARD -m iprange --dst-range 10.0.0.10-10.0.0.20
-A FORWARD -m iprange --src-range 192.168.1.50-192.168.1.50 --dst-range 10.0.0.21-10.0.0.30
COMMIT
`,
    settings: {
      description:
        '-m multiport lists and ranges (--dports, negated, --sports, --ports either side) and -m iprange source/destination ranges, inclusive at both ends, negated',
    },
    packets: seq(
      0.01,
      tcp({ ...wan, dst: '10.0.0.20', sport: 64000, dport: 22, flags: 'S', seq: 1 }),
      tcp({ ...wan, dst: '10.0.0.21', sport: 64001, dport: 90, flags: 'S', seq: 1 }),
      tcp({ ...wan, dst: '10.0.0.10', sport: 64002, dport: 91, flags: 'S', seq: 1 }),
      tcp({ ...wan, dst: '10.0.0.20', sport: 8080, dport: 5000, flags: 'S', seq: 1 }),
      udp({ ...fromGw, src: '198.51.100.4', dst: '10.0.0.30', sport: 123, dport: 123, payload: 'ntp' }),
      udp({ ...fromGw, src: '192.168.1.40', dst: '10.0.0.9', sport: 53, dport: 5300, payload: 'dns' }),
    ),
  },
  'match-addrtype': {
    host: router,
    rules: `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL
-A PREROUTING -m addrtype --dst-type LOCAL --limit-iface-in
-A PREROUTING -m addrtype --dst-type BROADCAST
-A PREROUTING -m addrtype --dst-type MULTICAST
-A PREROUTING -m addrtype --dst-type UNICAST
-A PREROUTING -m addrtype --src-type UNICAST
-A PREROUTING -m addrtype ! --dst-type UNICAST,LOCAL
-A PREROUTING -m addrtype --dst-type BROADCAST --limit-iface-in
-A PREROUTING -m addrtype --dst-type BROADCAST -j DROP
COMMIT
${filter()}-A INPUT -m addrtype --dst-type LOCAL -j DROP
-A INPUT
COMMIT
`,
    settings: {
      description:
        '-m addrtype over the FIB: LOCAL (with and without --limit-iface-in: 10.0.0.1 arriving on eth0), BROADCAST (subnet and limited), MULTICAST, UNICAST, negated type sets; broadcasts are dropped in raw (see match-addrtype-broadcast-input)',
    },
    packets: seq(
      0.01,
      udp({ ...wan, dst: '192.168.1.10', sport: 65000, dport: 9, payload: 'a' }),
      udp({ ...wan, dst: '10.0.0.1', sport: 65001, dport: 9, payload: 'b' }),
      udp({
        ...wan,
        dstMac: 'ff:ff:ff:ff:ff:ff',
        dst: '192.168.1.255',
        sport: 65002,
        dport: 9,
        payload: 'c',
      }),
      udp({
        ...wan,
        dstMac: 'ff:ff:ff:ff:ff:ff',
        dst: '255.255.255.255',
        sport: 65003,
        dport: 9,
        payload: 'd',
      }),
      udp({
        ...wan,
        dstMac: '01:00:5e:00:00:fb',
        dst: '224.0.0.251',
        sport: 5353,
        dport: 5353,
        payload: 'e',
      }),
      udp({ ...wan, dst: '10.0.0.20', sport: 65004, dport: 9, payload: 'f' }),
      udp({
        ...lanHost,
        dstMac: 'ff:ff:ff:ff:ff:ff',
        dst: '10.0.0.255',
        sport: 65005,
        dport: 9,
        payload: 'g',
      }),
    ),
  },
  'match-length-ttl': {
    host: router,
    rules: `${filter()}-A FORWARD -m length --length 0:60
-A FORWARD -m length --length 61:1500
-A FORWARD -m length ! --length 40
-A FORWARD -m ttl --ttl-eq 64
-A FORWARD -m ttl --ttl-lt 10
-A FORWARD -m ttl --ttl-gt 100
-A FORWARD -m ttl ! --ttl-eq 64
COMMIT
`,
    settings: {
      description:
        '-m length (the IP total length, inclusive ranges, negated) and -m ttl (eq, lt, gt, negated) in FORWARD, where the TTL is already decremented',
    },
    packets: seq(
      0.01,
      tcp({ ...wan, dst: '10.0.0.20', sport: 1000, dport: 80, flags: 'S', seq: 1 }),
      tcp({ ...wan, dst: '10.0.0.20', sport: 1001, dport: 80, flags: 'S', seq: 1, ttl: 65 }),
      udp({ ...wan, dst: '10.0.0.20', sport: 1002, dport: 80, payload: 'x'.repeat(32), ttl: 5 }),
      udp({ ...wan, dst: '10.0.0.20', sport: 1003, dport: 80, payload: 'x'.repeat(33), ttl: 200 }),
      udp({ ...wan, dst: '10.0.0.20', sport: 1004, dport: 80, payload: 'x'.repeat(1000), ttl: 10 }),
    ),
  },
  'match-icmp-types': {
    host: router,
    rules: `${filter()}-A FORWARD -p icmp -m icmp --icmp-type 8
-A FORWARD -p icmp -m icmp --icmp-type 0
-A FORWARD -p icmp -m icmp --icmp-type 3
-A FORWARD -p icmp -m icmp --icmp-type 3/3
-A FORWARD -p icmp -m icmp --icmp-type 3/1
-A FORWARD -p icmp -m icmp ! --icmp-type 8
-A FORWARD -p icmp -m icmp --icmp-type any
-A FORWARD -p icmp -m icmp --icmp-type 11/0
COMMIT
`,
    settings: {
      description:
        '-m icmp types and codes: echo request and reply, destination-unreachable with and without a code, negation, any, time-exceeded',
    },
    packets: seq(
      0.01,
      icmp({ ...wan, dst: '10.0.0.20', icmpType: 8, id: 11 }),
      icmp({ ...lanHost, dst: '192.168.1.50', icmpType: 0, id: 11 }),
      icmp({ ...wan, dst: '10.0.0.20', icmpType: 3, icmpCode: 3 }),
      icmp({ ...wan, dst: '10.0.0.20', icmpType: 3, icmpCode: 1 }),
      icmp({ ...wan, dst: '10.0.0.20', icmpType: 11, icmpCode: 0 }),
      icmp({ ...wan, dst: '10.0.0.20', icmpType: 13, icmpCode: 0 }),
    ),
  },
  'match-tcp-flags': {
    host: router,
    rules: `${filter()}-A FORWARD -p tcp -m tcp --syn
-A FORWARD -p tcp -m tcp ! --syn
-A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE
-A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG FIN,PSH,URG
-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN,RST
-A FORWARD -p tcp -m tcp --tcp-flags SYN,ACK SYN,ACK
-A FORWARD -p tcp -m tcp ! --tcp-option 2
-A FORWARD -p tcp -m tcp --sport 1024:65535 --dport 80
COMMIT
`,
    settings: {
      description:
        '-m tcp flag tests: --syn and its negation, null and Xmas scans, SYN+RST, SYN-ACK, ! --tcp-option, port ranges (conntrack calls the odd combinations INVALID but they are still counted)',
    },
    packets: ['S', 'SA', 'A', '', 'FPU', 'SR', 'PA'].map((flags, i) =>
      tcp({
        ...wan,
        t: i * 0.01,
        dst: '10.0.0.20',
        sport: 2000 + i,
        dport: 80,
        flags,
        seq: 1,
        ack: flags.includes('A') ? 1 : 0,
      }),
    ),
  },
  'match-mac-pkttype': {
    host: router,
    rules: `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -m mac --mac-source 02:00:00:00:00:50
-A PREROUTING -m mac ! --mac-source 02:00:00:00:00:50
-A PREROUTING -m pkttype --pkt-type unicast
-A PREROUTING -m pkttype --pkt-type broadcast
-A PREROUTING -m pkttype --pkt-type multicast
-A PREROUTING -m pkttype ! --pkt-type unicast
-A PREROUTING -m addrtype --dst-type BROADCAST -j DROP
COMMIT
${filter('DROP')}COMMIT
`,
    settings: {
      description:
        '-m mac source addresses and -m pkttype from the destination MAC (unicast, broadcast, multicast, negated), seen in raw PREROUTING; broadcast destinations end there (see match-addrtype-broadcast-input), INPUT policy DROP keeps the host quiet',
    },
    packets: seq(
      0.01,
      udp({ ...wan, dst: '192.168.1.10', sport: 3000, dport: 9, payload: 'a' }),
      udp({ ...fromGw, src: '198.51.100.5', dst: '192.168.1.10', sport: 3001, dport: 9, payload: 'b' }),
      udp({ ...wan, dstMac: 'ff:ff:ff:ff:ff:ff', dst: '192.168.1.255', sport: 3002, dport: 9, payload: 'c' }),
      udp({
        ...wan,
        dstMac: '01:00:5e:00:00:fb',
        dst: '224.0.0.251',
        sport: 5353,
        dport: 5353,
        payload: 'd',
      }),
      udp({ ...wan, dstMac: 'ff:ff:ff:ff:ff:ff', dst: '192.168.1.10', sport: 3003, dport: 9, payload: 'e' }),
    ),
  },
  'match-mark-comment': {
    host: router,
    rules: `*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m comment --comment "web traffic gets 0x10" -m tcp --dport 80 -j MARK --set-xmark 0x10/0xffffffff
-A PREROUTING -p udp -m comment --comment "udp gets 0x21" -j MARK --set-xmark 0x21/0xffffffff
-A PREROUTING -m mark --mark 0x20/0xf0 -j MARK --or-mark 0x100
-A PREROUTING -m mark --mark 0x10 -j MARK --and-mark 0xf0
-A PREROUTING -p tcp -m tcp --dport 81 -j MARK --xor-mark 0x3
-A FORWARD -m mark --mark 0x121
-A FORWARD -m mark --mark 0x10
-A FORWARD -m mark --mark 0x3
-A FORWARD -m mark ! --mark 0x0
-A FORWARD -m mark --mark 0x0/0xffff
COMMIT
${filter()}-A FORWARD -m comment --comment "only counts"
COMMIT
`,
    settings: {
      description:
        'MARK --set-xmark/--or-mark/--and-mark/--xor-mark in mangle PREROUTING, read back by -m mark with and without masks in FORWARD; -m comment matches everything',
    },
    packets: seq(
      0.01,
      tcp({ ...wan, dst: '10.0.0.20', sport: 4000, dport: 80, flags: 'S', seq: 1 }),
      tcp({ ...wan, dst: '10.0.0.20', sport: 4001, dport: 81, flags: 'S', seq: 1 }),
      udp({ ...wan, dst: '10.0.0.20', sport: 4002, dport: 82, payload: 'u' }),
      tcp({ ...wan, dst: '10.0.0.20', sport: 4003, dport: 82, flags: 'S', seq: 1 }),
    ),
  },
  'match-addrtype-broadcast-input': {
    host: router,
    rules: `${filter()}-A INPUT -m addrtype --dst-type BROADCAST
-A INPUT -m addrtype --dst-type LOCAL
-A INPUT -m pkttype --pkt-type broadcast -j DROP
COMMIT
`,
    settings: {
      description:
        'broadcasts to the host (subnet 192.168.1.255, limited 255.255.255.255, 10.0.0.255 on eth1) go through filter INPUT like local unicast; a UDP datagram to a broadcast without a socket is dropped silently',
    },
    packets: seq(
      0.01,
      udp({ ...wan, dstMac: 'ff:ff:ff:ff:ff:ff', dst: '192.168.1.255', sport: 3100, dport: 9, payload: 'a' }),
      udp({
        ...wan,
        dstMac: 'ff:ff:ff:ff:ff:ff',
        dst: '255.255.255.255',
        sport: 3101,
        dport: 9,
        payload: 'b',
      }),
      udp({
        ...lanHost,
        dstMac: 'ff:ff:ff:ff:ff:ff',
        dst: '10.0.0.255',
        sport: 3102,
        dport: 9,
        payload: 'c',
      }),
      udp({ ...wan, dst: '192.168.1.255', sport: 3103, dport: 9, payload: 'd' }),
    ),
  },
};
