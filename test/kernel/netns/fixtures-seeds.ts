// Scenario sources for the five seed posts (seed-000-* … seed-004-*), merged into
// make-fixtures.ts's list. Each ruleset is the seed's own iptables command sequence, written as
// a script (kept next to the scenario as rules.sh) and turned into rules.v4 by nfwasm's script
// front end. Where a seed shows only part of the sequence or only `iptables -L` output, the
// Docker defaults it describes are written out as the commands Docker runs, and the script's
// comments say which lines are reconstructed.

import { printIptablesSave } from '../../../src/frontend/iptables/printer.js';
import { parseIptablesScript } from '../../../src/frontend/iptables/script.js';
import type { TopologyDescription } from './host-json-from-netns.js';
import type { ReplaySettings } from './scenario.js';
import type { PacketSpec } from './trace-writer.js';

export interface SeedScenarioSource {
  readonly host: TopologyDescription;
  /** rules.v4, printed from `script`. */
  readonly rules: string;
  /** rules.sh: the seed's commands. */
  readonly script: string;
  readonly packets: readonly PacketSpec[];
  readonly settings: ReplaySettings;
}

// ---------------------------------------------------------------------------------------------
// Parties and packets

interface Party {
  readonly if: string;
  readonly srcMac: string;
  readonly dstMac: string;
  readonly ip: string;
}
type Rest = Omit<PacketSpec, 'if' | 'srcMac' | 'dstMac' | 'src' | 'dst' | 't' | 'proto'>;
type Untimed = Omit<PacketSpec, 't'>;

const from = (p: Party) => ({ if: p.if, srcMac: p.srcMac, dstMac: p.dstMac, src: p.ip });
const tcp = (p: Party, dst: string, r: Rest): Untimed => ({ ...from(p), proto: 'tcp', dst, ...r });
const udp = (p: Party, dst: string, r: Rest): Untimed => ({ ...from(p), proto: 'udp', dst, ...r });
const icmp = (p: Party, dst: string, r: Rest): Untimed => ({ ...from(p), proto: 'icmp', dst, ...r });
/** To a neighbour's MAC (bridged: the frame crosses the bridge instead of going up to IP). */
const toMac = (p: Party, mac: string): Party => ({ ...p, dstMac: mac });
/** Packets 10 ms apart (the harness replays them `spacingMs` apart anyway). */
const timed = (packets: readonly Untimed[]): PacketSpec[] =>
  packets.map((p, i) => ({ ...p, t: i * 0.01 }) as PacketSpec);

const NOMAC = '00:00:00:00:00:00'; // @local packets: the Ethernet header is ignored
/** The host's own packets (a raw socket in the host namespace sends them). */
const local = (ip: string): Party => ({ if: '@local', srcMac: NOMAC, dstMac: NOMAC, ip });

function seed(
  script: string,
  host: TopologyDescription,
  description: string,
  packets: readonly Untimed[],
): SeedScenarioSource {
  const ruleset = parseIptablesScript(script, { file: 'rules.sh' });
  return {
    host,
    script,
    rules: printIptablesSave(ruleset),
    packets: timed(packets),
    settings: { description },
  };
}

const lines = (...l: (string | readonly string[])[]) => `${l.flat().join('\n')}\n`;

// ---------------------------------------------------------------------------------------------
// Docker's default rules, as the commands Docker runs (seed 001 lists the filter ones for
// docker0, seed 000 prints the nat ones for two networks). Newer networks come first, as
// Docker inserts them.

interface Network {
  readonly bridge: string;
  readonly subnet: string;
}
interface Publish {
  readonly hostPort: number;
  readonly ip: string;
  readonly port: number;
  readonly bridge?: string;
}

function dockerFilter(nets: readonly Network[], pubs: readonly Publish[] = []): string[] {
  const br = (p: Publish) => p.bridge ?? 'docker0';
  return [
    'iptables -N DOCKER',
    'iptables -N DOCKER-ISOLATION-STAGE-1',
    'iptables -N DOCKER-ISOLATION-STAGE-2',
    'iptables -N DOCKER-USER',
    'iptables -P FORWARD DROP',
    'iptables -A FORWARD -j DOCKER-USER',
    'iptables -A FORWARD -j DOCKER-ISOLATION-STAGE-1',
    ...nets.flatMap(({ bridge: b }) => [
      `iptables -A FORWARD -o ${b} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
      `iptables -A FORWARD -o ${b} -j DOCKER`,
      `iptables -A FORWARD -i ${b} ! -o ${b} -j ACCEPT`,
      `iptables -A FORWARD -i ${b} -o ${b} -j ACCEPT`,
    ]),
    ...pubs.map(
      (p) =>
        `iptables -A DOCKER -d ${p.ip}/32 ! -i ${br(p)} -o ${br(p)} -p tcp -m tcp --dport ${p.port} -j ACCEPT`,
    ),
    ...nets.map(
      ({ bridge: b }) => `iptables -A DOCKER-ISOLATION-STAGE-1 -i ${b} ! -o ${b} -j DOCKER-ISOLATION-STAGE-2`,
    ),
    'iptables -A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    ...nets.map(({ bridge: b }) => `iptables -A DOCKER-ISOLATION-STAGE-2 -o ${b} -j DROP`),
    'iptables -A DOCKER-ISOLATION-STAGE-2 -j RETURN',
    'iptables -A DOCKER-USER -j RETURN',
  ];
}

function dockerNat(nets: readonly Network[], pubs: readonly Publish[] = []): string[] {
  const br = (p: Publish) => p.bridge ?? 'docker0';
  return [
    'iptables -t nat -N DOCKER',
    'iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    'iptables -t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
    ...nets.map(
      ({ bridge: b, subnet }) => `iptables -t nat -A POSTROUTING -s ${subnet} ! -o ${b} -j MASQUERADE`,
    ),
    ...pubs.map(
      (p) =>
        `iptables -t nat -A POSTROUTING -s ${p.ip}/32 -d ${p.ip}/32 -p tcp -m tcp --dport ${p.port} -j MASQUERADE`,
    ),
    ...nets.map(({ bridge: b }) => `iptables -t nat -A DOCKER -i ${b} -j RETURN`),
    ...pubs.map(
      (p) =>
        `iptables -t nat -A DOCKER ! -i ${br(p)} -p tcp -m tcp --dport ${p.hostPort} -j DNAT --to-destination ${p.ip}:${p.port}`,
    ),
  ];
}

const DOCKER0: Network = { bridge: 'docker0', subnet: '172.17.0.0/16' };

// ---------------------------------------------------------------------------------------------
// Hosts

const ETH0 = '52:54:00:12:34:56'; // the Docker host's uplink, 192.168.1.10/24
const ETH1 = '52:54:00:ab:cd:ef'; // seed 001: the LAN the host routes for, 10.0.0.1/24
const GW = '02:00:5e:00:01:01'; // 192.168.1.1, the upstream router
const DOCKER0_MAC = '02:42:8e:6f:1a:01';
const HOST = '192.168.1.10';

const gateway = (dev: string) => `default via 192.168.1.1 dev ${dev}`;
const gwNeigh = (dev: string) => `192.168.1.1 lladdr ${GW} dev ${dev} nud permanent`;
const dockerSysctl = { 'net.ipv4.ip_forward': 1, 'net.bridge.bridge-nf-call-iptables': 1 };

/** A container: its address and MAC, the bridge port (veth) it sits behind. */
interface Container {
  readonly ip: string;
  readonly mac: string;
  readonly veth: string;
  readonly vethMac: string;
  readonly bridge: string;
  readonly bridgeMac: string;
}
const container = (c: Container): Party => ({ if: c.veth, srcMac: c.mac, dstMac: c.bridgeMac, ip: c.ip });
const port = (c: Container) => ({ name: c.veth, mac: c.vethMac, master: c.bridge });

const upstream =
  (uplink: string, mac: string) =>
  (ip: string): Party => ({
    if: uplink,
    srcMac: GW,
    dstMac: mac,
    ip,
  });

// ---------------------------------------------------------------------------------------------
// Seed 000: a tomcat published as -p 80:8080, INPUT rules meant to restrict port 80, the
// DOCKER-USER attempts, and the nat DOCKER-FILTER chain with its RETURN in PREROUTING.

const BR000: Network = { bridge: 'br-0be676646756', subnet: '172.28.0.0/16' };
const BR000_MAC = '02:42:5c:3d:00:01';
const tomcat: Container = {
  ip: '172.17.0.2',
  mac: '02:42:ac:11:00:02',
  veth: 'veth1a2b3c4',
  vethMac: '6a:1f:00:00:00:02',
  bridge: 'docker0',
  bridgeMac: DOCKER0_MAC,
};
const other000: Container = {
  ip: '172.28.0.2',
  mac: '02:42:ac:1c:00:02',
  veth: 'veth9c0d1e2',
  vethMac: '6a:1f:00:00:1c:02',
  bridge: BR000.bridge,
  bridgeMac: BR000_MAC,
};
const host000 = (proxyPort?: number): TopologyDescription => ({
  interfaces: [
    { name: 'eth0', mac: ETH0, mtu: 1500, addrs: ['192.168.1.10/24'] },
    port(tomcat),
    port(other000),
  ],
  bridges: [
    { name: 'docker0', mac: DOCKER0_MAC, addrs: ['172.17.0.1/16'] },
    { name: BR000.bridge, mac: BR000_MAC, addrs: ['172.28.0.1/16'] },
  ],
  routes: [gateway('eth0')],
  neighbours: [gwNeigh('eth0')],
  sysctl: dockerSysctl,
  ...(proxyPort
    ? {
        proxies: [
          { protocol: 'tcp', address: '0.0.0.0', port: 80, target: { address: tomcat.ip, port: proxyPort } },
        ],
      }
    : {}),
});
const wan000 = upstream('eth0', ETH0);
const outsider = wan000('203.0.113.7'); // not in 172.16.0.0/24
const office = wan000('172.16.0.9'); // in the network the rules mean to allow
const ctomcat = container(tomcat);

const TOMCAT: Publish = { hostPort: 80, ip: tomcat.ip, port: 8080 };
const NGINX: Publish = { hostPort: 80, ip: tomcat.ip, port: 80 };

const docker000 = (pub: Publish) => [
  '# Docker 19.03 with two bridge networks (docker0 and br-0be676646756). The nat rules are the',
  '# seed\'s iptables-save output as commands; its filter table is elided ("......"), so the',
  '# filter rules are the defaults Docker writes (reconstructed, as seed 001 lists them).',
  `# docker run -itd --rm -p ${pub.hostPort}:${pub.port} ...`,
  ...dockerFilter([BR000, DOCKER0], [pub]),
  ...dockerNat([BR000, DOCKER0], [pub]),
];

const INPUT_RULES = [
  '# The production habit: allow 172.16.0.0/24 to port 80, refuse everything else.',
  'iptables -A INPUT -s 172.16.0.0/24 -p tcp -m tcp --dport 80 -j ACCEPT',
  'iptables -A INPUT -j REJECT --reject-with icmp-host-prohibited',
];

/** The client's handshake with the published tomcat, as the host sees it. */
const tomcatHandshake = (client: Party, sport: number): Untimed[] => [
  tcp(client, HOST, { sport, dport: 80, flags: 'S', seq: 1000 }),
  tcp(ctomcat, client.ip, { sport: 8080, dport: sport, flags: 'SA', seq: 5000, ack: 1001 }),
  tcp(client, HOST, { sport, dport: 80, flags: 'A', seq: 1001, ack: 5001 }),
];

const SEED000: Record<string, SeedScenarioSource> = {
  'seed-000-input-port-80': seed(
    lines(docker000(TOMCAT), INPUT_RULES),
    host000(8080),
    "seed 000: INPUT allows only 172.16.0.0/24 to port 80 and REJECTs the rest, yet 203.0.113.7 completes a handshake on port 80: nat PREROUTING's DOCKER DNATs it to 172.17.0.2:8080 before routing, so it is forwarded and INPUT never sees it. The same client's SYN to port 22 (the host's own) does meet INPUT and is refused with host-prohibited.",
    [
      ...tomcatHandshake(outsider, 40000),
      tcp(outsider, HOST, { sport: 40001, dport: 22, flags: 'S', seq: 7 }),
    ],
  ),
  'seed-000-docker-user-dport-80': seed(
    lines(
      docker000(TOMCAT),
      INPUT_RULES,
      '# As first typed, `-t tcp` (a table named tcp) for `-p tcp`: iptables refuses it and adds nothing:',
      '# iptables -I DOCKER-USER -t tcp -m tcp --dport 80 -j DROP',
      'iptables -I DOCKER-USER -p tcp -m tcp --dport 80 -j DROP',
    ),
    host000(8080),
    "seed 000: `iptables -I DOCKER-USER -p tcp -m tcp --dport 80 -j DROP` (first typed as `-t tcp`, which iptables refuses outright) never matches: DOCKER-USER runs in FORWARD, after nat PREROUTING turned port 80 into 172.17.0.2:8080, so 203.0.113.7's handshake still goes through.",
    tomcatHandshake(outsider, 40000),
  ),
  'seed-000-docker-user-whitelist': seed(
    lines(
      docker000(TOMCAT),
      '# "First remove every custom rule added before", then a whitelist on the DNATed port:',
      'iptables -I DOCKER-USER -p tcp -j DROP',
      'iptables -I DOCKER-USER -s 172.16.0.0/24 -p tcp -m tcp --dport 8080 -j ACCEPT',
    ),
    host000(8080),
    "seed 000: the DOCKER-USER whitelist on the DNATed port 8080 lets 172.16.0.9's SYN through, but `-p tcp -j DROP` also drops the container's SYN-ACK (DOCKER-USER runs before Docker's RELATED,ESTABLISHED rule), so the whitelisted client cannot connect either; 203.0.113.7 is dropped as meant, and the container's own outbound connection dies too.",
    [
      tcp(office, HOST, { sport: 40001, dport: 80, flags: 'S', seq: 1000 }),
      tcp(ctomcat, office.ip, { sport: 8080, dport: 40001, flags: 'SA', seq: 5000, ack: 1001 }),
      tcp(outsider, HOST, { sport: 40000, dport: 80, flags: 'S', seq: 2000 }),
      tcp(ctomcat, '198.51.100.20', { sport: 45000, dport: 443, flags: 'S', seq: 3000 }),
    ],
  ),
  'seed-000-docker-filter-proxy': seed(
    lines(
      docker000(NGINX),
      '# Section 4: nginx published -p 80:80 (docker-proxy runs on :80), the DOCKER-FILTER chain, and',
      '# no allow rule yet; INPUT has no rules (policy ACCEPT).',
      'iptables -t nat -N DOCKER-FILTER',
      'iptables -t nat -I PREROUTING -m addrtype --dst-type LOCAL -j RETURN',
      'iptables -t nat -I PREROUTING -m addrtype --dst-type LOCAL -j DOCKER-FILTER',
    ),
    host000(80),
    "seed 000 section 4: with DOCKER-FILTER empty, the RETURN in nat PREROUTING ends the chain and its policy ACCEPT lets 203.0.113.7's SYN to port 80 go on un-DNATed — to local delivery, where INPUT (no rules) accepts it and docker-proxy on 0.0.0.0:80 answers the SYN-ACK: a second path to the container that the nat rules do not control.",
    [
      tcp(outsider, HOST, { sport: 40000, dport: 80, flags: 'S', seq: 1000 }),
      tcp(office, HOST, { sport: 40001, dport: 80, flags: 'S', seq: 2000 }),
    ],
  ),
  'seed-000-docker-filter-fixed': seed(
    lines(
      docker000(NGINX),
      'iptables -t nat -N DOCKER-FILTER',
      'iptables -t nat -I PREROUTING -m addrtype --dst-type LOCAL -j RETURN',
      'iptables -t nat -I PREROUTING -m addrtype --dst-type LOCAL -j DOCKER-FILTER',
      "# The seed's allow rule, narrowed to the section-0 whitelist 172.16.0.0/24 (as posted it",
      '# sends every source on port 80 to DOCKER):',
      'iptables -t nat -A DOCKER-FILTER -s 172.16.0.0/24 -p tcp -m tcp --dport 80 -m state --state NEW,ESTABLISHED -j DOCKER',
      "# Section 4d, in words in the seed: INPUT refuses the published host port, closing docker-proxy's path.",
      'iptables -A INPUT -p tcp -m tcp --dport 80 -j DROP',
    ),
    host000(80),
    "seed 000's final solution: 172.16.0.9 goes PREROUTING → DOCKER-FILTER → DOCKER → DNAT to 172.17.0.2:80 and is forwarded (the container answers); 203.0.113.7 falls through DOCKER-FILTER to the RETURN, reaches INPUT un-DNATed, and the added INPUT DROP on port 80 keeps it from docker-proxy.",
    [
      tcp(office, HOST, { sport: 40001, dport: 80, flags: 'S', seq: 1000 }),
      tcp(ctomcat, office.ip, { sport: 80, dport: 40001, flags: 'SA', seq: 5000, ack: 1001 }),
      tcp(outsider, HOST, { sport: 40000, dport: 80, flags: 'S', seq: 2000 }),
    ],
  ),
};

// ---------------------------------------------------------------------------------------------
// Seed 001: Docker's default chains; DOCKER-ISOLATION between bridges; FORWARD policy DROP on a
// host that also routes for a LAN; the DOCKER-USER whitelist examples.

const BR001: Network = { bridge: 'br-5e3c6b1a2f00', subnet: '172.18.0.0/16' };
const BR001_MAC = '02:42:7d:11:00:01';
const web001: Container = {
  ip: '172.17.0.2',
  mac: '02:42:ac:11:00:02',
  veth: 'veth1a2b3c4',
  vethMac: '6a:1f:00:00:00:02',
  bridge: 'docker0',
  bridgeMac: DOCKER0_MAC,
};
const app001: Container = {
  ip: '172.17.0.3',
  mac: '02:42:ac:11:00:03',
  veth: 'veth5d6e7f8',
  vethMac: '6a:1f:00:00:00:03',
  bridge: 'docker0',
  bridgeMac: DOCKER0_MAC,
};
const db001: Container = {
  ip: '172.18.0.2',
  mac: '02:42:ac:12:00:02',
  veth: 'vethb0c1d2e',
  vethMac: '6a:1f:00:00:12:02',
  bridge: BR001.bridge,
  bridgeMac: BR001_MAC,
};
const LAN20 = '02:00:00:00:00:20';
const host001: TopologyDescription = {
  interfaces: [
    { name: 'eth0', mac: ETH0, mtu: 1500, addrs: ['192.168.1.10/24'] },
    { name: 'eth1', mac: ETH1, mtu: 1500, addrs: ['10.0.0.1/24'] },
    port(web001),
    port(app001),
    port(db001),
  ],
  bridges: [
    { name: 'docker0', mac: DOCKER0_MAC, addrs: ['172.17.0.1/16'] },
    { name: BR001.bridge, mac: BR001_MAC, addrs: ['172.18.0.1/16'] },
  ],
  routes: [gateway('eth0')],
  neighbours: [gwNeigh('eth0')],
  sysctl: dockerSysctl,
};
const wan001 = upstream('eth0', ETH0);
const lanHost: Party = { if: 'eth1', srcMac: LAN20, dstMac: ETH1, ip: '10.0.0.20' };
const server = wan001('198.51.100.20');
const cweb = container(web001);
const capp = container(app001);
const cdb = container(db001);

const DEFAULTS_001 = [
  "# Docker's default filter rules, as seed 001 lists them (the FORWARD policy DROP it states in words).",
  ...dockerFilter([DOCKER0]),
];
/** A LAN host's connection out through the router: SYN, the server's SYN-ACK, the ACK. */
const routed: Untimed[] = [
  tcp(lanHost, server.ip, { sport: 50000, dport: 443, flags: 'S', seq: 100 }),
  tcp(server, lanHost.ip, { sport: 443, dport: 50000, flags: 'SA', seq: 900, ack: 101 }),
  tcp(lanHost, server.ip, { sport: 50000, dport: 443, flags: 'A', seq: 101, ack: 901 }),
];

const WEB001: Publish = { hostPort: 8080, ip: web001.ip, port: 80 };
const whitelistDefaults = [
  "# Docker's defaults (seed 001's list) with the post's port mapping -p 8080:80; the nat rules",
  '# are the ones Docker writes for it (reconstructed).',
  ...dockerFilter([DOCKER0], [WEB001]),
  ...dockerNat([DOCKER0], [WEB001]),
];
const trusted: Party = { if: 'eth0', srcMac: '02:00:00:00:01:02', dstMac: ETH0, ip: '192.168.1.2' };
const stranger = wan001('203.0.113.7');
/**
 * Connections to the published port from a trusted (192.168.1.2) and an untrusted client, and
 * the container's own connection out. A side answers only what reached it.
 */
const whitelistTraffic = (o: { strangerReaches: boolean; containerGetsOut: boolean }): Untimed[] => [
  tcp(trusted, HOST, { sport: 40000, dport: 8080, flags: 'S', seq: 1000 }),
  tcp(cweb, trusted.ip, { sport: 80, dport: 40000, flags: 'SA', seq: 5000, ack: 1001 }),
  tcp(stranger, HOST, { sport: 40001, dport: 8080, flags: 'S', seq: 2000 }),
  ...(o.strangerReaches
    ? [tcp(cweb, stranger.ip, { sport: 80, dport: 40001, flags: 'SA', seq: 6000, ack: 2001 })]
    : []),
  tcp(cweb, server.ip, { sport: 45000, dport: 443, flags: 'S', seq: 3000 }),
  ...(o.containerGetsOut
    ? [tcp(server, HOST, { sport: 443, dport: 45000, flags: 'SA', seq: 7000, ack: 3001 })]
    : []),
];

const SEED001: Record<string, SeedScenarioSource> = {
  'seed-001-isolation': seed(
    lines(
      "# Docker's default filter rules (seed 001's list), for two bridge networks: Docker writes the same",
      '# FORWARD and isolation rules for br-5e3c6b1a2f00 as for docker0 (reconstructed).',
      dockerFilter([BR001, DOCKER0]),
    ),
    host001,
    'seed 001: DOCKER-ISOLATION-STAGE-1 sends traffic leaving a Docker bridge for another interface to STAGE-2, which drops it when it goes out of another Docker bridge: 172.17.0.2 → 172.18.0.2 and back are dropped; 172.17.0.3 → 172.17.0.2 on the same bridge is bridged and accepted (br_netfilter: -i docker0 -o docker0); 172.17.0.2 → the internet is accepted.',
    [
      tcp(cweb, db001.ip, { sport: 45000, dport: 5432, flags: 'S', seq: 1 }),
      tcp(cdb, web001.ip, { sport: 45001, dport: 80, flags: 'S', seq: 2 }),
      tcp(toMac(capp, web001.mac), web001.ip, { sport: 45002, dport: 80, flags: 'S', seq: 3 }),
      tcp(cweb, server.ip, { sport: 45003, dport: 443, flags: 'S', seq: 4 }),
    ],
  ),
  'seed-001-router-forward-drop': seed(
    lines(DEFAULTS_001),
    host001,
    "seed 001: the Docker host also routes for the LAN on eth1; Docker's FORWARD policy DROP ends that: the LAN host's SYN to the internet and a connection from outside to the LAN both fall through DOCKER-USER and DOCKER-ISOLATION-STAGE-1 (nothing in FORWARD is about eth0/eth1) to the policy.",
    [routed[0]!, tcp(server, lanHost.ip, { sport: 50001, dport: 22, flags: 'S', seq: 500 })],
  ),
  'seed-001-router-one-way': seed(
    lines(
      DEFAULTS_001,
      "# Docker's documented fix, `iptables -I DOCKER-USER -i src_if -o dst_if -j ACCEPT`, for LAN → uplink:",
      'iptables -I DOCKER-USER -i eth1 -o eth0 -j ACCEPT',
    ),
    host001,
    "seed 001: Docker's fix `-I DOCKER-USER -i src_if -o dst_if -j ACCEPT` written once, for eth1 → eth0: the LAN host's SYN is forwarded, but the server's SYN-ACK (eth0 → eth1) matches nothing and meets the FORWARD policy DROP — Docker's RELATED,ESTABLISHED rule is only for -o docker0. The fix is needed in both directions.",
    routed,
  ),
  'seed-001-router-fixed': seed(
    lines(
      DEFAULTS_001,
      "# Docker's documented fix, `iptables -I DOCKER-USER -i src_if -o dst_if -j ACCEPT`, both ways:",
      'iptables -I DOCKER-USER -i eth1 -o eth0 -j ACCEPT',
      'iptables -I DOCKER-USER -i eth0 -o eth1 -j ACCEPT',
    ),
    host001,
    "seed 001: with `-I DOCKER-USER -i src_if -o dst_if -j ACCEPT` for eth1 → eth0 and eth0 → eth1, the LAN host's connection is routed again: SYN, SYN-ACK and ACK are all accepted in DOCKER-USER before Docker's rules.",
    routed,
  ),
  'seed-001-iprange-as-posted': seed(
    lines(
      whitelistDefaults,
      '# "Only 192.168.1.1-192.168.1.3 may reach the containers", as posted:',
      'iptables -A DOCKER-USER -m iprange -i docker0 ! --src-range 192.168.1.1-192.168.1.3 -j DROP',
    ),
    host001,
    "seed 001: the posted whitelist `iptables -A DOCKER-USER -m iprange -i docker0 ! --src-range 192.168.1.1-192.168.1.3 -j DROP` is appended after DOCKER-USER's `-j RETURN`, so it is never reached: 203.0.113.7 reaches the published container on :8080 just like 192.168.1.2, and the container's own traffic flows.",
    whitelistTraffic({ strangerReaches: true, containerGetsOut: true }),
  ),
  'seed-001-iprange-inserted': seed(
    lines(
      whitelistDefaults,
      '# The posted whitelist with -I instead of -A (before the RETURN), still on -i docker0:',
      'iptables -I DOCKER-USER -m iprange -i docker0 ! --src-range 192.168.1.1-192.168.1.3 -j DROP',
    ),
    host001,
    "seed 001: the whitelist inserted before the RETURN but, as posted, on -i docker0 — the containers' side: 203.0.113.7's SYN still reaches the container (it arrives on eth0), while every packet from the container (its SYN-ACKs to 192.168.1.2 and 203.0.113.7, its own connection out) is dropped, since no container address is in 192.168.1.1-3.",
    whitelistTraffic({ strangerReaches: true, containerGetsOut: false }),
  ),
  'seed-001-iprange-uplink': seed(
    lines(
      whitelistDefaults,
      '# The whitelist as Docker documents it: on the external interface (-i ext_if), inserted:',
      'iptables -I DOCKER-USER -m iprange -i eth0 ! --src-range 192.168.1.1-192.168.1.3 -j DROP',
    ),
    host001,
    "seed 001: the whitelist on the uplink (-i eth0, Docker's ext_if): 192.168.1.2 reaches the container and gets its SYN-ACK; 203.0.113.7 is dropped before DNAT's target sees it; but the reply to the container's own connection to 198.51.100.20 also arrives on eth0 from outside the range and is dropped too.",
    whitelistTraffic({ strangerReaches: false, containerGetsOut: true }),
  ),
};

// ---------------------------------------------------------------------------------------------
// Seed 002: a container 172.17.0.6 publishing 9525 (aliyun-exporter), rules shown by
// `iptables -nL`; the post walks a packet through PREROUTING, INPUT, OUTPUT and POSTROUTING.

const exporter: Container = {
  ip: '172.17.0.6',
  mac: '02:42:ac:11:00:06',
  veth: 'veth43040d1',
  vethMac: '6a:1f:00:00:00:06',
  bridge: 'docker0',
  bridgeMac: DOCKER0_MAC,
};
const EXPORTER: Publish = { hostPort: 9525, ip: exporter.ip, port: 9525 };
const cexporter = container(exporter);
const host002: TopologyDescription = {
  interfaces: [{ name: 'eth0', mac: ETH0, mtu: 1500, addrs: ['192.168.1.10/24'] }, port(exporter)],
  bridges: [{ name: 'docker0', mac: DOCKER0_MAC, addrs: ['172.17.0.1/16'] }],
  routes: [gateway('eth0')],
  neighbours: [gwNeigh('eth0')],
  sysctl: dockerSysctl,
  proxies: [
    { protocol: 'tcp', address: '0.0.0.0', port: 9525, target: { address: exporter.ip, port: 9525 } },
  ],
};
const scraper = upstream('eth0', ETH0)('203.0.113.7');

const SEED002: Record<string, SeedScenarioSource> = {
  'seed-002-exporter-paths': seed(
    lines(
      '# The seed shows only `iptables -nL` / `iptables -t nat -nL` (raw and mangle empty), which hide',
      '# the interfaces: "RETURN all" in nat DOCKER is `-i docker0 -j RETURN`, the DNAT is `! -i docker0`,',
      "# and FORWARD's bare ACCEPTs are `-i docker0`. These are the commands Docker writes for",
      '# `-p 9525:9525` (reconstructed).',
      dockerFilter([DOCKER0], [EXPORTER]),
      dockerNat([DOCKER0], [EXPORTER]),
    ),
    host002,
    "seed 002's walk through the chains: a scraper's SYN to :9525 is DNATed in PREROUTING to 172.17.0.6:9525 and forwarded (filter INPUT is never involved), the reply goes back un-NATed; the host's own connection to 192.168.1.10:9525 is DNATed in nat OUTPUT (the post's step 3); the container's DNS query is MASQUERADEd in POSTROUTING (step 4); and the container's own connection to the host's :9525 is not DNATed (the `RETURN` that -L shows without its `-i docker0`) but goes to docker-proxy through INPUT.",
    [
      tcp(scraper, HOST, { sport: 40000, dport: 9525, flags: 'S', seq: 1000 }),
      tcp(cexporter, scraper.ip, { sport: 9525, dport: 40000, flags: 'SA', seq: 5000, ack: 1001 }),
      tcp(local(HOST), HOST, { sport: 50000, dport: 9525, flags: 'S', seq: 1, ipId: 11 }),
      udp(cexporter, '8.8.8.8', { sport: 33000, dport: 53, payload: 'q' }),
      tcp(cexporter, HOST, { sport: 46000, dport: 9525, flags: 'S', seq: 2 }),
    ],
  ),
};

// ---------------------------------------------------------------------------------------------
// Seed 003: the Docker host as a router between eno1 and docker0; nginx published -p 7777:80.

const ENO1 = '52:54:00:3e:0a:01';
const nginx003: Container = {
  ip: '172.17.0.2',
  mac: '02:42:ac:11:00:02',
  veth: 'veth7a8b9c0',
  vethMac: '6a:1f:00:00:00:02',
  bridge: 'docker0',
  bridgeMac: DOCKER0_MAC,
};
const NGINX003: Publish = { hostPort: 7777, ip: nginx003.ip, port: 80 };
const cnginx = container(nginx003);
const host003: TopologyDescription = {
  interfaces: [{ name: 'eno1', mac: ENO1, mtu: 1500, addrs: ['192.168.1.10/24'] }, port(nginx003)],
  bridges: [{ name: 'docker0', mac: DOCKER0_MAC, addrs: ['172.17.0.1/16'] }],
  routes: [gateway('eno1')],
  neighbours: [gwNeigh('eno1')],
  sysctl: dockerSysctl,
};
const net003 = upstream('eno1', ENO1);
const visitor = net003('203.0.113.7');

const SEED003: Record<string, SeedScenarioSource> = {
  'seed-003-forward-paths': seed(
    lines(
      "# `iptables -S FORWARD` and `iptables -S DOCKER` as the post prints them, with Docker's other",
      '# default chains and its nat rules for -p 7777:80 (reconstructed).',
      dockerFilter([DOCKER0], [NGINX003]),
      dockerNat([DOCKER0], [NGINX003]),
    ),
    host003,
    'seed 003: container traffic is FORWARD traffic. A ping out is accepted by `-i docker0 ! -o docker0` and MASQUERADEd; its echo reply comes back as ESTABLISHED (not RELATED) and is accepted by `-o docker0 --ctstate RELATED,ESTABLISHED`, before `-o docker0 -j DOCKER` (the post has them the other way round). 7777 is DNATed to 172.17.0.2:80 and accepted in DOCKER; the SYN-ACK leaves by `-i docker0 ! -o docker0`. Sent straight to 172.17.0.2 (a router routing 172.17.0.0/16 to the host), port 80 is accepted by the same DOCKER rule — the container port is open at its own address — while port 22 meets the FORWARD policy DROP.',
    [
      icmp(cnginx, '8.8.8.8', { id: 42, icmpSeq: 1, payload: 'ping' }),
      icmp(net003('8.8.8.8'), HOST, { icmpType: 0, id: 42, icmpSeq: 1, payload: 'ping' }),
      tcp(visitor, HOST, { sport: 40000, dport: 7777, flags: 'S', seq: 1000 }),
      tcp(cnginx, visitor.ip, { sport: 80, dport: 40000, flags: 'SA', seq: 5000, ack: 1001 }),
      tcp(visitor, nginx003.ip, { sport: 40001, dport: 80, flags: 'S', seq: 2000 }),
      tcp(visitor, nginx003.ip, { sport: 40002, dport: 22, flags: 'S', seq: 3000 }),
    ],
  ),
};

// ---------------------------------------------------------------------------------------------
// Seed 004: a hand-built bridge ns_br 175.18.0.1/24 with namespaces ns1 (175.18.0.2) and ns2
// (175.18.0.3), uplink enp0s5 10.211.55.32/24; MASQUERADE, DNAT 8088 → 175.18.0.2:80, FORWARD
// policy DROP with rules, and OUTPUT --dst-type LOCAL DNAT for the host's own connections.

const ENP0S5 = '00:1c:42:5a:7e:01';
const GW004 = '00:1c:42:00:00:18'; // 10.211.55.1
const NS_BR = '7e:3a:51:c0:4b:01';
const NS1 = '2a:6e:10:00:00:02';
const NS2 = '2a:6e:10:00:00:03';
const VM = '10.211.55.32';
const LAPTOP = '10.6.213.149';
const host004: TopologyDescription = {
  interfaces: [
    { name: 'enp0s5', mac: ENP0S5, mtu: 1500, addrs: ['10.211.55.32/24'] },
    { name: 'veth_ns_1', mac: '6a:2b:00:00:00:01', master: 'ns_br' },
    { name: 'veth_ns_2', mac: '6a:2b:00:00:00:02', master: 'ns_br' },
  ],
  bridges: [{ name: 'ns_br', mac: NS_BR, addrs: ['175.18.0.1/24'] }],
  routes: ['default via 10.211.55.1 dev enp0s5'],
  neighbours: [`10.211.55.1 lladdr ${GW004} dev enp0s5 nud permanent`],
  sysctl: { 'net.ipv4.ip_forward': 1, 'net.bridge.bridge-nf-call-iptables': 1 },
};
const ns1: Party = { if: 'veth_ns_1', srcMac: NS1, dstMac: NS_BR, ip: '175.18.0.2' };
const ns2: Party = { if: 'veth_ns_2', srcMac: NS2, dstMac: NS_BR, ip: '175.18.0.3' };
const laptop: Party = { if: 'enp0s5', srcMac: GW004, dstMac: ENP0S5, ip: LAPTOP };

const START_004 = [
  '# The VM starts with FORWARD policy DROP (as Docker leaves it; the post finds it so).',
  'iptables -P FORWARD DROP',
  'iptables -t filter -n --list',
];
const NAT_004 = [
  'iptables -t filter --policy FORWARD ACCEPT',
  'iptables -t nat -A POSTROUTING -s 175.18.0.0/24 -j MASQUERADE',
  'iptables -t nat -A PREROUTING -p tcp --dport 8088 -j DNAT --to 175.18.0.2:80',
];
const FORWARD_004 = [
  'iptables -t filter --policy FORWARD DROP',
  'iptables -t filter -A FORWARD -i ns_br -j ACCEPT',
  '# The post explains a second and third rule (to 175.18.0.2:80 and 175.18.0.3:80, arriving from',
  '# elsewhere than ns_br) without showing them; reconstructed as Docker writes its DOCKER rules:',
  'iptables -t filter -A FORWARD -d 175.18.0.2/32 ! -i ns_br -o ns_br -p tcp -m tcp --dport 80 -j ACCEPT',
  'iptables -t filter -A FORWARD -d 175.18.0.3/32 ! -i ns_br -o ns_br -p tcp -m tcp --dport 80 -j ACCEPT',
];
const FULL_004 = [
  '# "To let the namespaces start ICMP and other non-TCP requests to the outside":',
  'iptables -t filter -A FORWARD -o ns_br -j ACCEPT',
  '# For the host reaching its own address:8088:',
  'iptables -t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -p tcp --dport 8088 -j DNAT --to-destination 175.18.0.2:80',
  'iptables -t nat -nvL',
];

/**
 * ns1 pings ns2 across the bridge (to ns2's MAC). `-s 175.18.0.0/24 -j MASQUERADE` has no
 * `! -o ns_br`, and br_netfilter runs nat POSTROUTING on bridged frames: ns2 sees the request
 * from 175.18.0.1 and answers the bridge's address (its MAC), where the host un-NATs it and
 * routes it back out of ns_br to ns1.
 */
const bridgedPing: Untimed[] = [
  icmp(toMac(ns1, NS2), ns2.ip, { id: 1, icmpSeq: 1, payload: 'ns1-ns2' }),
  icmp(ns2, '175.18.0.1', { icmpType: 0, id: 1, icmpSeq: 1, payload: 'ns1-ns2' }),
];
/** curl -I http://10.211.55.32:8088 from the laptop, and ns1's SYN-ACK. */
const curlFromLaptop: Untimed[] = [
  tcp(laptop, VM, { sport: 51000, dport: 8088, flags: 'S', seq: 1000 }),
  tcp(ns1, LAPTOP, { sport: 80, dport: 51000, flags: 'SA', seq: 5000, ack: 1001 }),
];
/** ns1 pings the laptop (through NAT) and the reply comes back to the VM's address. */
const pingLaptop: Untimed[] = [
  icmp(ns1, LAPTOP, { id: 7, icmpSeq: 1, payload: 'ping' }),
  icmp(laptop, VM, { icmpType: 0, id: 7, icmpSeq: 1, payload: 'ping' }),
];
const curlOut: Untimed[] = [
  tcp(ns1, LAPTOP, { sport: 52000, dport: 443, flags: 'S', seq: 100 }),
  tcp(laptop, VM, { sport: 443, dport: 52000, flags: 'SA', seq: 900, ack: 101 }),
];
const hostCurl = (dst: string, sport: number, ipId: number): Untimed =>
  tcp(local(dst), dst, { sport, dport: 8088, flags: 'S', seq: sport, ipId });

const SEED004: Record<string, SeedScenarioSource> = {
  'seed-004-forward-drop': seed(
    lines(START_004),
    host004,
    'seed 004 before any change: FORWARD policy DROP. br_netfilter passes bridged frames through iptables FORWARD (-i ns_br -o ns_br), so ns1 → ns2 across ns_br is dropped by the policy, while ns2 → the bridge address 175.18.0.1 is local traffic (INPUT) and answered.',
    [bridgedPing[0]!, icmp(ns2, '175.18.0.1', { id: 2, icmpSeq: 1, payload: 'ns2-br' })],
  ),
  'seed-004-port-map': seed(
    lines(START_004, NAT_004),
    host004,
    "seed 004 with FORWARD policy ACCEPT, MASQUERADE of 175.18.0.0/24 and DNAT of 8088 → 175.18.0.2:80: ns1's ping to ns2 across the bridge is MASQUERADEd to 175.18.0.1 (br_netfilter runs nat POSTROUTING on bridged frames and the rule has no `! -o ns_br`), so ns2 answers the bridge address and the host routes the un-NATed reply back to ns1; ns1's ping to the laptop leaves as 10.211.55.32 and the reply is un-NATed; the laptop's curl to 10.211.55.32:8088 reaches ns1:80. The host's own curl to 10.211.55.32:8088 is not DNATed (PREROUTING is not on a locally generated packet's path) and is reset.",
    [...bridgedPing, ...pingLaptop, ...curlFromLaptop, hostCurl(VM, 53000, 21)],
  ),
  'seed-004-forward-rules': seed(
    lines(START_004, NAT_004, FORWARD_004),
    host004,
    "seed 004 with FORWARD policy DROP again and its rules (`-i ns_br -j ACCEPT`, and the two DNAT-port rules the post describes): ns1's ping to ns2 (bridged, MASQUERADEd) and its reply (routed back out of ns_br) pass `-i ns_br`, and the laptop's curl to :8088 still work; ns1's ping to the laptop leaves but the echo reply is dropped by the policy, as the post says — and so is the SYN-ACK of ns1's own TCP connection out (the post expects only non-TCP to break).",
    [...bridgedPing, ...curlFromLaptop, ...pingLaptop, ...curlOut],
  ),
  'seed-004-full': seed(
    lines(START_004, NAT_004, FORWARD_004, FULL_004),
    host004,
    "seed 004's final rules: `-o ns_br -j ACCEPT` lets the ping reply and the outbound connection's SYN-ACK back to ns1; the host's own curl to 10.211.55.32:8088 is DNATed by nat OUTPUT (--dst-type LOCAL) to 175.18.0.2:80 and leaves on ns_br, while curl to 127.0.0.1:8088 (excluded by `! -d 127.0.0.0/8`) is reset by the host, as the post found.",
    [...pingLaptop, ...curlOut, hostCurl(VM, 53000, 21), hostCurl('127.0.0.1', 53001, 22)],
  ),
};

export const SEED_SCENARIOS: Readonly<Record<string, SeedScenarioSource>> = {
  ...SEED000,
  ...SEED001,
  ...SEED002,
  ...SEED003,
  ...SEED004,
};
