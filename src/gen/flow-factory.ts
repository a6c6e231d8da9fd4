// Makes new flows: a kind from the traffic mix, endpoints from the ruleset's hints (so rules get
// hit) or from the host's subnets, the interfaces each direction arrives on, and the addresses
// replies use after the host's NAT (see nat-guess.ts: replies go to the pre-NAT addresses unless
// the ruleset DNATs or SNATs the flow, then to and from the NAT targets).

import type { Prng } from '../engine/conntrack/prng.js';
import type { Host } from '../host/host.js';
import type { IpNet } from '../ir/address.js';
import type { PortRange } from '../ir/common.js';
import type { Ruleset } from '../ir/ruleset.js';
import { Flow, type FlowScript, INVALID_VARIANTS } from './flow.js';
import { HostPaths } from './host-paths.js';
import { guessDnat, guessSnat } from './nat-guess.js';
import { pick, randomInt, weightedIndex } from './random.js';
import type { RuleHint } from './rule-hints.js';
import { FLOW_KINDS, type FlowKind, type TrafficMix } from './traffic-mix.js';

const TCP_PORTS = [80, 443, 22, 8080, 25, 3306, 5432];
const UDP_PORTS = [53, 123, 161, 514, 1194, 5353];
/** Documentation nets (RFC 5737) stand in for the internet behind a default route. */
const REMOTE_NETS = [0xc6336400, 0xcb007100]; // 198.51.100.0/24, 203.0.113.0/24
/** Share of flows aimed by a rule hint when the ruleset offers some. */
const HINTED = 0.85;

export interface FlowFactoryOptions {
  readonly ruleset: Ruleset;
  readonly host: Host;
  readonly hints: readonly RuleHint[];
  readonly mix: TrafficMix;
}

/** A random address in a net, avoiding its network and broadcast addresses when it has room. */
function addressIn(prng: Prng, net: IpNet): number {
  const base = net.addr[0]! >>> 0;
  const host = ~net.mask[0]! >>> 0;
  if (host === 0) return base;
  if (host === 1) return (base | (prng.nextU32() & 1)) >>> 0;
  return (base | (1 + (prng.nextU32() % (host - 1)))) >>> 0;
}

function portIn(prng: Prng, ranges: readonly PortRange[]): number {
  const r = pick(prng, ranges);
  return randomInt(prng, r.from, r.to);
}

const netOf = (addr: number, len: number): IpNet => {
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return { family: 'ipv4', addr: [(addr & mask) >>> 0], mask: [mask], prefixLen: len };
};

export class FlowFactory {
  readonly paths: HostPaths;
  private readonly devices: readonly string[];
  private readonly mixWeights: readonly number[];

  constructor(private readonly o: FlowFactoryOptions) {
    this.paths = new HostPaths(o.host);
    // Devices traffic can come from: up, not loopback, not a bridge port (the bridge stands for it).
    this.devices = o.host.interfaces
      .filter((i) => i.kind !== 'loopback' && i.master === undefined)
      .map((i) => i.name);
    this.mixWeights = FLOW_KINDS.map((k) => o.mix[k]);
  }

  create(prng: Prng): Flow {
    const kind: FlowKind = FLOW_KINDS[weightedIndex(prng, this.mixWeights)]!;
    const script: FlowScript =
      kind === 'icmp'
        ? prng.nextU32() % 4 === 0
          ? 'unreachable'
          : 'echo'
        : kind === 'invalid'
          ? 'invalid'
          : kind;
    const protocol = script === 'echo' ? 1 : script === 'tcp' || script === 'invalid' ? 6 : 17;
    const hint = this.pickHint(prng, protocol);
    const dst = this.destination(prng, hint);
    const dport =
      script === 'echo'
        ? 0
        : hint?.dports && hint.protocol !== 1
          ? portIn(prng, hint.dports)
          : pick(prng, protocol === 6 ? TCP_PORTS : UDP_PORTS);
    // The ICMP echo id stands in the client port's place, as conntrack keys it.
    const clientPort = script === 'echo' ? randomInt(prng, 1, 0xffff) : randomInt(prng, 32768, 60999);
    const { client, device } = this.client(prng, hint, dst);
    const out = this.paths.pathFrom(client, device);
    const tuple = { protocol, src: client, sport: clientPort, dst, dport, iif: out.device };
    const dnat = guessDnat(this.o.ruleset, this.o.host, tuple);
    const server = dnat?.addr ?? dst;
    const serverPort = dnat?.port ?? dport;
    const serverLocal = this.paths.isLocal(server);
    const oif = serverLocal ? undefined : this.paths.deviceOf(server);
    const snat = serverLocal
      ? undefined
      : guessSnat(this.o.ruleset, this.o.host, {
          ...tuple,
          dst: server,
          dport: serverPort,
          ...(oif ? { oif } : {}),
        });
    const back = serverLocal ? this.paths.localPath() : this.paths.pathFrom(server, oif);
    const exchanges =
      script === 'tcp'
        ? randomInt(prng, 1, 8)
        : script === 'invalid' || script === 'unreachable'
          ? 1
          : randomInt(prng, 1, 4);
    return new Flow(
      script,
      {
        protocol,
        client,
        clientPort,
        server: dst,
        serverPort: dport,
        replySrc: server,
        replySrcPort: script === 'echo' ? clientPort : serverPort,
        replyDst: snat?.addr ?? client,
        replyDstPort: script === 'echo' ? clientPort : (snat?.port ?? clientPort),
        out,
        back,
      },
      exchanges,
      INVALID_VARIANTS[prng.nextU32() % INVALID_VARIANTS.length]!,
      { clientSeq: prng.nextU32(), serverSeq: prng.nextU32(), ipId: prng.nextU32() & 0xffff },
    );
  }

  private pickHint(prng: Prng, protocol: number): RuleHint | undefined {
    const fits = this.o.hints.filter((h) => h.protocol === undefined || h.protocol === protocol);
    if (fits.length === 0 || prng.nextU32() / 4294967296 >= HINTED) return undefined;
    return pick(prng, fits);
  }

  private destination(prng: Prng, hint: RuleHint | undefined): number {
    if (hint?.dst) return addressIn(prng, hint.dst);
    const own = this.paths.addresses;
    if ((hint?.dstLocal || prng.nextU32() % 2 === 0) && own.length > 0) return pick(prng, own).addr;
    return this.remoteBehind(prng, pick(prng, this.devices));
  }

  /** The client: from the hint's source net, else behind the hint's interface or any device. */
  private client(prng: Prng, hint: RuleHint | undefined, dst: number): { client: number; device?: string } {
    for (let tries = 0; tries < 8; tries++) {
      const device = hint?.iif ?? pick(prng, this.devices);
      const client = hint?.src ? addressIn(prng, hint.src) : this.remoteBehind(prng, device);
      if (client === dst || this.paths.isLocal(client)) continue;
      // A hinted source arrives where the host routes it, unless the hint names the interface.
      return hint?.iif ? { client, device: hint.iif } : { client };
    }
    return { client: REMOTE_NETS[0]! + 7 };
  }

  /** An address that lives behind `device`: in its subnet, or the internet for the default route. */
  private remoteBehind(prng: Prng, device: string | undefined): number {
    const subnets = this.paths.addresses.filter((a) => a.dev === device && a.prefixLen < 31);
    for (let tries = 0; tries < 8; tries++) {
      const remote = (pick(prng, REMOTE_NETS) | randomInt(prng, 1, 254)) >>> 0;
      if (device !== undefined && this.paths.deviceOf(remote) === device && prng.nextU32() % 2 === 0)
        return remote;
      if (subnets.length > 0) {
        const a = pick(prng, subnets);
        const addr = addressIn(prng, netOf(a.addr, a.prefixLen));
        if (!this.paths.isLocal(addr)) return addr;
      } else if (device === undefined || this.paths.deviceOf(remote) === device) return remote;
    }
    return (REMOTE_NETS[1]! | randomInt(prng, 1, 254)) >>> 0;
  }
}
