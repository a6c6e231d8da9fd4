// The benchmark scenarios: a ruleset, the base chain walked and the packets sent through it.
//
// - docker: a Docker host (classic iptables layout of Docker 20-27) with N published ports:
//   filter DOCKER-USER / DOCKER-ISOLATION-STAGE-1/2 / DOCKER, one ACCEPT per published port,
//   and the nat DNAT and MASQUERADE rules that come with each; packets are forwarded to the
//   containers' ports (after DNAT), one in ten to a port nobody published. Walked: filter FORWARD.
// - kube-proxy: bench/generate/kube-proxy.ts (`simple` layout: KUBE-SERVICES → KUBE-SVC →
//   KUBE-SEP, every packet decided in WebAssembly); packets to the service IPs and ports.
//   Walked: nat PREROUTING. Sized in rules; kube-proxy-services is the same sized in services
//   (10k services are about 165k rules), the size the kube-proxy bar names.
// - classbench acl1 / fw1 / ipc1: ../shared/corpus filter sets (10 and 100 rules are the first
//   rules of the 1k set); packets drawn from the filters. Walked: filter FORWARD.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnginePacket } from '../../src/engine/reference/packet.js';
import {
  filtersToRuleset,
  generateTrace,
  parseFilters,
  tuplePacket,
} from '../../src/frontend/classbench/index.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { formatIpv4 } from '../../src/ir/address.js';
import type { Hook, Ruleset, TableName } from '../../src/ir/ruleset.js';
import { generateKubeProxyDump, Prng } from '../generate/kube-proxy.js';
import { enginePacket, kubeServicePackets, specPacket } from './packets.js';

export const CLASSBENCH_DIR = join(
  import.meta.dirname,
  '../../../shared/corpus/rulesets/classbench/neurocuts_filters',
);

export type ScenarioName = 'docker' | 'kube-proxy' | 'kube-proxy-services' | 'acl1' | 'fw1' | 'ipc1';
export const SCENARIOS: readonly ScenarioName[] = ['docker', 'kube-proxy', 'acl1', 'fw1', 'ipc1'];

export interface Workload {
  readonly scenario: ScenarioName;
  /** The rule count asked for. */
  readonly size: number;
  /** Rules in the whole ruleset (every table). */
  readonly rules: number;
  readonly ruleset: Ruleset;
  readonly table: TableName;
  readonly chain: string;
  readonly hook: Hook;
  readonly packets: readonly EnginePacket[];
}

const BRIDGE = 'docker0';

/** An iptables-save dump of a Docker host publishing `ports` container ports. */
export function dockerHostDump(ports: number): string {
  const filter = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    ':DOCKER-ISOLATION-STAGE-1 - [0:0]',
    ':DOCKER-ISOLATION-STAGE-2 - [0:0]',
    ':DOCKER-USER - [0:0]',
    '-A FORWARD -j DOCKER-USER',
    '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
    `-A FORWARD -o ${BRIDGE} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    `-A FORWARD -o ${BRIDGE} -j DOCKER`,
    `-A FORWARD -i ${BRIDGE} ! -o ${BRIDGE} -j ACCEPT`,
    `-A FORWARD -i ${BRIDGE} -o ${BRIDGE} -j ACCEPT`,
    `-A DOCKER-ISOLATION-STAGE-1 -i ${BRIDGE} ! -o ${BRIDGE} -j DOCKER-ISOLATION-STAGE-2`,
    '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    `-A DOCKER-ISOLATION-STAGE-2 -o ${BRIDGE} -j DROP`,
    '-A DOCKER-ISOLATION-STAGE-2 -j RETURN',
    '-A DOCKER-USER -j RETURN',
  ];
  const nat = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
    `-A POSTROUTING -s 172.17.0.0/16 ! -o ${BRIDGE} -j MASQUERADE`,
  ];
  const dnat: string[] = [`-A DOCKER -i ${BRIDGE} -j RETURN`];
  for (let i = 0; i < ports; i++) {
    const { ip, port } = publishedPort(i);
    filter.push(`-A DOCKER -d ${ip}/32 ! -i ${BRIDGE} -o ${BRIDGE} -p tcp -m tcp --dport ${port} -j ACCEPT`);
    nat.push(`-A POSTROUTING -s ${ip}/32 -d ${ip}/32 -p tcp -m tcp --dport ${port} -j MASQUERADE`);
    dnat.push(
      `-A DOCKER ! -i ${BRIDGE} -p tcp -m tcp --dport ${10000 + i} -j DNAT --to-destination ${ip}:${port}`,
    );
  }
  return [...filter, 'COMMIT', ...nat, ...dnat, 'COMMIT', ''].join('\n');
}

/** Container address and port of published port `i` (one container per port, 172.17.0.2 on). */
function publishedPort(i: number): { ip: string; port: number } {
  return { ip: formatIpv4((0xac110002 + i) >>> 0), port: [80, 443, 8080, 5432, 6379][i % 5]! };
}

function dockerWorkload(size: number, packets: number, seed: number): Workload {
  const ports = Math.max(1, Math.round(size / 3));
  const ruleset = parseIptablesSave(dockerHostDump(ports), { file: 'docker-host.v4', family: 'ipv4' });
  const prng = new Prng(seed);
  const list = Array.from({ length: packets }, () => {
    const i = prng.below(ports);
    const { ip, port } = publishedPort(i);
    const dport = prng.below(10) === 0 ? 9 : port;
    return specPacket(
      `tcp 198.51.100.${1 + (i % 200)}:${1024 + prng.below(60000)} > ${ip}:${dport} iif eth0`,
      BRIDGE,
    );
  });
  return {
    scenario: 'docker',
    size,
    rules: countRules(ruleset),
    ruleset,
    table: 'filter',
    chain: 'FORWARD',
    hook: 'forward',
    packets: list,
  };
}

function kubeWorkload(size: number, packets: number, seed: number, services = false): Workload {
  // The fixed chains alone are more than a handful of rules: at least one service.
  let dump = generateKubeProxyDump(
    services ? { services: size, seed, simple: true } : { rules: size, seed, simple: true },
  );
  if (dump.servicePorts === 0 || !/KUBE-SVC-/.test(dump.text))
    dump = generateKubeProxyDump({ services: 1, seed, simple: true });
  const ruleset = parseIptablesSave(dump.text, { file: 'kube-proxy.v4', family: 'ipv4' });
  return {
    scenario: services ? 'kube-proxy-services' : 'kube-proxy',
    size,
    rules: dump.rules,
    ruleset,
    table: 'nat',
    chain: 'PREROUTING',
    hook: 'prerouting',
    packets: kubeServicePackets(ruleset, packets, seed),
  };
}

/** The ClassBench file holding at least `size` filters, or null when the corpus has none. */
function classBenchFile(set: string, size: number): string | null {
  const name = size <= 1000 ? `${set}_1k` : size <= 10_000 ? `${set}_10k` : null;
  if (!name) return null;
  const file = join(CLASSBENCH_DIR, name);
  return existsSync(file) ? file : null;
}

function classBenchWorkload(set: ScenarioName, size: number, packets: number, seed: number): Workload | null {
  const file = classBenchFile(set, size);
  if (!file) return null;
  const filters = parseFilters(readFileSync(file, 'utf8'), file).slice(0, size);
  const ruleset = filtersToRuleset(filters, { file });
  const list = generateTrace(filters, packets, { seed }).map((t) =>
    enginePacket(tuplePacket(t), 'eth0', 'eth1'),
  );
  return {
    scenario: set,
    size,
    rules: filters.length,
    ruleset,
    table: 'filter',
    chain: 'FORWARD',
    hook: 'forward',
    packets: list,
  };
}

/** The workload, or null when its inputs do not exist (ClassBench beyond 10k rules). */
export function workload(scenario: ScenarioName, size: number, packets: number, seed = 1): Workload | null {
  switch (scenario) {
    case 'docker':
      return dockerWorkload(size, packets, seed);
    case 'kube-proxy':
      return kubeWorkload(size, packets, seed);
    case 'kube-proxy-services':
      return kubeWorkload(size, packets, seed, true);
    default:
      return classBenchWorkload(scenario, size, packets, seed);
  }
}

export function countRules(ruleset: Ruleset): number {
  let n = 0;
  for (const t of ruleset.tables) for (const c of t.chains) n += c.rules.length;
  return n;
}
