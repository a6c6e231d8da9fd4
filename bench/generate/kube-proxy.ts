// A deterministic generator of kube-proxy-style rulesets (iptables mode), as iptables-save prints
// them after kube-proxy loaded them: `*filter` with the KUBE-FORWARD / KUBE-SERVICES / ... chains,
// `*nat` with KUBE-SERVICES dispatching on cluster IP and port to one KUBE-SVC-<hash> chain per
// service port, which load-balances with `-m statistic --mode random` over KUBE-SEP-<hash>
// chains that DNAT to one endpoint each, plus node ports (KUBE-NODEPORTS / KUBE-EXT-<hash>),
// load balancer IPs, KUBE-MARK-MASQ and KUBE-POSTROUTING.
//
// Everything comes from a seeded PRNG, so a (seed, size) pair always gives the same bytes.
// `simple` keeps the same chain layout but uses only what the core front end understands
// (-s/-d/-p, -m tcp, -m comment, jumps and verdicts), for testing before the other modules exist.
//
//   npx tsx bench/generate/kube-proxy.ts --rules 1000 > x.v4
//   npx tsx bench/generate/kube-proxy.ts --services 50 --seed 7 --simple

import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export interface KubeProxyOptions {
  /** Generate services until the dump has at least this many rules (ignored when `services` is set). */
  readonly rules?: number;
  /** Exact number of services. */
  readonly services?: number;
  /** PRNG seed (default 1). */
  readonly seed?: number;
  /** Only tcp/comment matches, jumps and verdicts (no statistic/DNAT/MARK/MASQUERADE/...). */
  readonly simple?: boolean;
}

export interface KubeProxyDump {
  /** The iptables-save text. */
  readonly text: string;
  /** Number of `-A` rule lines. */
  readonly rules: number;
  /** Number of services (each has one or more ports). */
  readonly services: number;
  /** Number of service ports (one KUBE-SVC chain each when it has endpoints). */
  readonly servicePorts: number;
  /** Number of endpoints (one KUBE-SEP chain each). */
  readonly endpoints: number;
}

/** xorshift32 over a splitmix-style scrambled seed: small, fast, reproducible. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    let s = (seed ^ 0x9e3779b9) >>> 0;
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
    s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0;
    s = (s ^ (s >>> 16)) >>> 0;
    this.state = s === 0 ? 0x6d2b79f5 : s;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** A uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.nextU32() / 0x1_0000_0000) * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.nextU32() / 0x1_0000_0000 < p;
  }
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** kube-proxy's chain-name hash: base32(sha256(text)) cut to 16 characters. */
function chainHash(text: string): string {
  const digest = createHash('sha256').update(text).digest();
  let out = '';
  let bits = 0;
  let value = 0;
  for (let i = 0; out.length < 16; i++) {
    value = (value << 8) | digest[i]!;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      bits -= 5;
      out += BASE32[(value >>> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

const ipv4 = (w: number) => `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;

/** xtables_save_string: bare when only [A-Za-z0-9_-], otherwise double-quoted with escapes. */
function quote(s: string): string {
  return /^[A-Za-z0-9_-]+$/.test(s) ? s : `"${s.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

/**
 * What iptables-save prints for kube-proxy's `--probability %0.10f` of 1/n: libxt_statistic stores
 * lround(0x80000000 * p) and prints it back divided by 0x80000000 with %.11f.
 */
export function savedProbability(n: number): string {
  const asWritten = Number((1 / n).toFixed(10));
  return (Math.round(0x80000000 * asWritten) / 0x80000000).toFixed(11);
}

const PORT_NAMES = ['http', 'https', 'metrics', 'grpc', 'admin', 'web'];
const POD_CIDR = '10.244.0.0/16';

interface ServicePort {
  readonly spn: string; // "ns/svc:port"
  readonly proto: 'tcp' | 'udp';
  readonly port: number;
  readonly targetPort: number;
  readonly nodePort: number | undefined;
  readonly lbIps: readonly string[];
}

export function generateKubeProxyDump(options: KubeProxyOptions = {}): KubeProxyDump {
  const rng = new Prng(options.seed ?? 1);
  const simple = options.simple ?? false;
  const target = options.services === undefined ? Math.max(0, options.rules ?? 1000) : undefined;

  const filter = new Map<string, string[]>();
  const nat = new Map<string, string[]>();
  let rules = 0;
  const chain = (t: Map<string, string[]>, name: string): string[] => {
    let c = t.get(name);
    if (!c) {
      c = [];
      t.set(name, c);
    }
    return c;
  };
  const add = (t: Map<string, string[]>, name: string, spec: string) => {
    chain(t, name).push(spec);
    rules++;
  };
  const cmt = (text: string) => ` -m comment --comment ${quote(text)}`;

  // Fixed rules kube-proxy installs whatever the services.
  for (const c of ['INPUT', 'FORWARD', 'OUTPUT']) chain(filter, c);
  for (const c of ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']) chain(nat, c);
  for (const c of ['KUBE-EXTERNAL-SERVICES', 'KUBE-FIREWALL', 'KUBE-FORWARD', 'KUBE-NODEPORTS']) {
    chain(filter, c);
  }
  for (const c of ['KUBE-PROXY-CANARY', 'KUBE-KUBELET-CANARY', 'KUBE-PROXY-FIREWALL', 'KUBE-SERVICES']) {
    chain(filter, c);
  }
  for (const c of ['KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-SERVICES']) chain(nat, c);
  for (const c of ['KUBE-PROXY-CANARY', 'KUBE-KUBELET-CANARY']) chain(nat, c);

  const ctNew = simple ? '' : ' -m conntrack --ctstate NEW';
  add(filter, 'INPUT', `${ctNew}${cmt('kubernetes load balancer firewall')} -j KUBE-PROXY-FIREWALL`);
  add(filter, 'INPUT', `${cmt('kubernetes health check service ports')} -j KUBE-NODEPORTS`);
  add(
    filter,
    'INPUT',
    `${ctNew}${cmt('kubernetes externally-visible service portals')} -j KUBE-EXTERNAL-SERVICES`,
  );
  add(filter, 'INPUT', ' -j KUBE-FIREWALL');
  add(filter, 'FORWARD', `${ctNew}${cmt('kubernetes load balancer firewall')} -j KUBE-PROXY-FIREWALL`);
  add(filter, 'FORWARD', `${cmt('kubernetes forwarding rules')} -j KUBE-FORWARD`);
  add(filter, 'FORWARD', `${ctNew}${cmt('kubernetes service portals')} -j KUBE-SERVICES`);
  add(
    filter,
    'FORWARD',
    `${ctNew}${cmt('kubernetes externally-visible service portals')} -j KUBE-EXTERNAL-SERVICES`,
  );
  add(filter, 'OUTPUT', `${ctNew}${cmt('kubernetes load balancer firewall')} -j KUBE-PROXY-FIREWALL`);
  add(filter, 'OUTPUT', `${ctNew}${cmt('kubernetes service portals')} -j KUBE-SERVICES`);
  add(filter, 'OUTPUT', ' -j KUBE-FIREWALL');
  if (simple) {
    add(
      filter,
      'KUBE-FIREWALL',
      ` ! -s 127.0.0.0/8 -d 127.0.0.0/8${cmt('block incoming localnet connections')} -j DROP`,
    );
    add(filter, 'KUBE-FORWARD', `${cmt('kubernetes forwarding rules')} -j ACCEPT`);
  } else {
    add(
      filter,
      'KUBE-FIREWALL',
      ` ! -s 127.0.0.0/8 -d 127.0.0.0/8${cmt('block incoming localnet connections')} -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    );
    add(filter, 'KUBE-FORWARD', ' -m conntrack --ctstate INVALID -j DROP');
    add(
      filter,
      'KUBE-FORWARD',
      `${cmt('kubernetes forwarding rules')} -m mark --mark 0x4000/0x4000 -j ACCEPT`,
    );
    add(
      filter,
      'KUBE-FORWARD',
      `${cmt('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    );
  }
  add(nat, 'PREROUTING', `${cmt('kubernetes service portals')} -j KUBE-SERVICES`);
  add(nat, 'OUTPUT', `${cmt('kubernetes service portals')} -j KUBE-SERVICES`);
  add(nat, 'POSTROUTING', `${cmt('kubernetes postrouting rules')} -j KUBE-POSTROUTING`);
  if (simple) {
    add(nat, 'KUBE-MARK-MASQ', ' -j RETURN');
    add(nat, 'KUBE-POSTROUTING', `${cmt('kubernetes service traffic requiring SNAT')} -j RETURN`);
  } else {
    add(nat, 'KUBE-MARK-MASQ', ' -j MARK --set-xmark 0x4000/0x4000');
    add(nat, 'KUBE-POSTROUTING', ' -m mark ! --mark 0x4000/0x4000 -j RETURN');
    add(nat, 'KUBE-POSTROUTING', ' -j MARK --set-xmark 0x4000/0x0');
    add(
      nat,
      'KUBE-POSTROUTING',
      `${cmt('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
    );
  }

  // The services.
  let services = 0;
  let servicePorts = 0;
  let endpoints = 0;
  let nextNodePort = 30000;
  let nextLb = 0;
  const svcRules: string[] = []; // nat KUBE-SERVICES, before the final nodeports rule
  while (target === undefined ? services < options.services! : rules + 1 < target) {
    const index = services++;
    const ns = `ns${index % 97}`;
    const name = `svc${index}`;
    const clusterIp = ipv4(((10 << 24) | (96 << 16)) + index + 10);
    const portCount = rng.chance(0.2) ? 2 : 1;
    const kind = rng.below(100); // < 70 ClusterIP, < 94 NodePort, else LoadBalancer
    const nEndpoints = rng.chance(0.03) ? 0 : [1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 8, 12][rng.below(12)]!;
    const pods: string[] = [];
    for (let e = 0; e < nEndpoints; e++) pods.push(ipv4((10 << 24) | (244 << 16) | rng.below(0x10000)));
    const ports: ServicePort[] = [];
    for (let p = 0; p < portCount; p++) {
      const proto = !simple && rng.chance(0.08) ? 'udp' : 'tcp';
      const portName = proto === 'udp' ? 'dns' : PORT_NAMES[(index + p) % PORT_NAMES.length]!;
      const port = proto === 'udp' ? 53 : [80, 443, 8080, 9090, 3000][rng.below(5)]! + p;
      const lbIps: string[] = [];
      if (kind >= 94) lbIps.push(ipv4((198 << 24) | (18 << 16) | (++nextLb & 0xffff)));
      ports.push({
        spn: `${ns}/${name}:${portName}`,
        proto,
        port,
        targetPort: port === 80 ? 8080 : port,
        // Node ports are numbered on from 30000; past 65535 (some 100k services) there are none left.
        nodePort: kind >= 70 && nextNodePort <= 65535 ? nextNodePort++ : undefined,
        lbIps,
      });
    }
    for (const sp of ports) {
      servicePorts++;
      const { spn, proto } = sp;
      const m = ` -p ${proto}`;
      const l4 = ` -m ${proto}`;
      if (pods.length === 0) {
        const reject = simple ? 'DROP' : 'REJECT --reject-with icmp-port-unreachable';
        add(
          filter,
          'KUBE-SERVICES',
          ` -d ${clusterIp}/32${m}${cmt(`${spn} has no endpoints`)}${l4} --dport ${sp.port} -j ${reject}`,
        );
        if (sp.nodePort !== undefined) {
          const local = simple ? '' : ' -m addrtype --dst-type LOCAL';
          add(
            filter,
            'KUBE-EXTERNAL-SERVICES',
            `${m}${cmt(`${spn} has no endpoints`)}${local}${l4} --dport ${sp.nodePort} -j ${reject}`,
          );
        }
        continue;
      }
      const hash = chainHash(spn + proto);
      const svc = `KUBE-SVC-${hash}`;
      const ext = `KUBE-EXT-${hash}`;
      chain(nat, svc);
      svcRules.push(` -d ${clusterIp}/32${m}${cmt(`${spn} cluster IP`)}${l4} --dport ${sp.port} -j ${svc}`);
      rules++;
      for (const lb of sp.lbIps) {
        svcRules.push(` -d ${lb}/32${m}${cmt(`${spn} loadbalancer IP`)}${l4} --dport ${sp.port} -j ${ext}`);
        rules++;
      }
      if (sp.nodePort !== undefined) {
        add(nat, 'KUBE-NODEPORTS', `${m}${cmt(spn)}${l4} --dport ${sp.nodePort} -j ${ext}`);
        add(nat, ext, `${cmt(`masquerade traffic for ${spn} external destinations`)} -j KUBE-MARK-MASQ`);
        add(nat, ext, ` -j ${svc}`);
      }
      add(
        nat,
        svc,
        ` ! -s ${POD_CIDR} -d ${clusterIp}/32${m}${cmt(`${spn} cluster IP`)}${l4} --dport ${sp.port} -j KUBE-MARK-MASQ`,
      );
      pods.forEach((pod, i) => {
        endpoints++;
        const endpoint = `${pod}:${sp.targetPort}`;
        const sep = `KUBE-SEP-${chainHash(spn + proto + endpoint)}`;
        const left = pods.length - i;
        const stat =
          simple || left === 1 ? '' : ` -m statistic --mode random --probability ${savedProbability(left)}`;
        add(nat, svc, `${cmt(`${spn} -> ${endpoint}`)}${stat} -j ${sep}`);
        add(nat, sep, ` -s ${pod}/32${cmt(spn)} -j KUBE-MARK-MASQ`);
        const dnat = simple ? 'ACCEPT' : `DNAT --to-destination ${endpoint}`;
        add(nat, sep, `${m}${cmt(spn)}${l4} -j ${dnat}`);
      });
    }
  }
  // A loop, not push(...svcRules): a spread of 100k services' rules overflows the call stack.
  const kubeServices = chain(nat, 'KUBE-SERVICES');
  for (const r of svcRules) kubeServices.push(r);
  const nodeports = simple ? '' : ' -m addrtype --dst-type LOCAL';
  add(
    nat,
    'KUBE-SERVICES',
    `${cmt('kubernetes service nodeports; NOTE: this must be the last rule in this chain')}${nodeports} -j KUBE-NODEPORTS`,
  );

  const out: string[] = [];
  const emit = (table: string, builtins: readonly string[], chains: Map<string, string[]>) => {
    out.push(`*${table}`);
    const users = [...chains.keys()].filter((c) => !builtins.includes(c)).sort((a, b) => (a < b ? -1 : 1));
    for (const c of builtins) out.push(`:${c} ACCEPT [0:0]`);
    for (const c of users) out.push(`:${c} - [0:0]`);
    for (const c of [...builtins, ...users]) for (const spec of chains.get(c)!) out.push(`-A ${c}${spec}`);
    out.push('COMMIT');
  };
  emit('filter', ['INPUT', 'FORWARD', 'OUTPUT'], filter);
  emit('nat', ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], nat);
  return { text: `${out.join('\n')}\n`, rules, services, servicePorts, endpoints };
}

function main(argv: readonly string[]): void {
  const value = (flag: string): number | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const n = Number(argv[i + 1]);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer`);
    return n;
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      'usage: tsx bench/generate/kube-proxy.ts [--rules N | --services N] [--seed S] [--simple]\n',
    );
    return;
  }
  const dump = generateKubeProxyDump({
    rules: value('--rules'),
    services: value('--services'),
    seed: value('--seed'),
    simple: argv.includes('--simple'),
  });
  process.stdout.write(dump.text);
  process.stderr.write(
    `# ${dump.rules} rules, ${dump.services} services, ${dump.servicePorts} service ports, ${dump.endpoints} endpoints\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2));
}
