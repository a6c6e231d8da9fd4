// The state of the network namespace the engine models, shared by every stage of the packet
// path: the ruleset and its hook plan, the host, the connection table, the fragment queues, the
// bridges' forwarding databases, the ICMP rate buckets, per-rule state, counters, the run's
// random generator and the clock (the current packet's timestamp).

import type { Host } from '../../host/index.js';
import { addressType as hostAddressType, reversePathOk, routeTypes6 } from '../../host/index.js';
import type { Rule, Ruleset } from '../../ir/ruleset.js';
import { CONNTRACK_SYSCTLS, ConntrackTable, PacketRandom, settingsFromSysctls } from '../conntrack/index.js';
import { RuleCounters } from '../counters.js';
import { BridgeFdb } from './bridge.js';
import { FragmentQueues } from './defrag.js';
import { type HookPlan, planHooks } from './hook-plan.js';
import { IcmpRateLimiter } from './kernel-icmp.js';
import type { HostView } from './match-context.js';

export interface EngineState {
  readonly ruleset: Ruleset;
  readonly host: Host;
  /** What runs at each hook (hook-plan.ts). */
  readonly plan: HookPlan;
  readonly counters: RuleCounters;
  readonly conntrack: ConntrackTable;
  /**
   * Every random choice of the run (statistic, NAT ports, IP ids, sequence numbers), drawn per
   * packet: a function of the seed and the packet's index (packet-random.ts).
   */
  readonly prng: PacketRandom;
  /** Matches' per-rule state (limit buckets, recent lists...). */
  readonly ruleStates: Map<Rule, Map<object, unknown>>;
  /** Matches' state shared across rules (hashlimit names, quota2...). */
  readonly shared: Map<string, unknown>;
  readonly hostView: HostView;
  readonly fdb: BridgeFdb;
  readonly icmpLimiter: IcmpRateLimiter;
  /** The namespace's fragment queues (net->ipv4.fqdir), shared by all defrag users. */
  readonly fragments: FragmentQueues;
  /** sysctl net.ipv4.ip_default_ttl: the TTL of what the host sends (ip4_dst_hoplimit). */
  readonly defaultTtl: number;
  /** The current packet's timestamp: the engine's only clock. */
  now: bigint;
}

export function createEngineState(ruleset: Ruleset, host: Host, seed: number): EngineState {
  const sysctls: Record<string, number> = {};
  for (const name of Object.keys(CONNTRACK_SYSCTLS)) {
    const v = host.sysctl.get(`net.netfilter.${name}`);
    if (typeof v === 'number') sysctls[name] = v;
  }
  return {
    ruleset,
    host,
    plan: planHooks(ruleset),
    counters: new RuleCounters(),
    prng: new PacketRandom(seed),
    conntrack: new ConntrackTable({ settings: settingsFromSysctls(sysctls), hashSeed: seed }),
    ruleStates: new Map(),
    shared: new Map(),
    hostView: {
      addressType: (family, addr, dev) =>
        hostAddressType(host, { family, words: addr }, dev === undefined ? {} : { dev }),
      // addrtype_mt6: LOCAL/ANYCAST/UNREACHABLE from the kernel's IPv6 route lookup.
      addressTypes6: (addr, dev) => routeTypes6(host, addr, dev),
      // IPv6 (ip6t_rpfilter's oif-bound lookups) is not modelled yet: it passes.
      reversePathOk: (family, src, _dst, iif, o) =>
        family === 'ipv4' ? reversePathOk(host, src[0]!, iif, o) : true,
      interfaceGroup: () => 0,
    },
    fdb: new BridgeFdb(),
    icmpLimiter: new IcmpRateLimiter(
      host.sysctl.number('net.ipv4.icmp_ratelimit', 1000),
      host.sysctl.number('net.ipv4.icmp_ratemask', 6168),
    ),
    // net.ipv4.ipfrag_time: seconds a fragment queue may wait for the rest of its datagram.
    defaultTtl: host.sysctl.number('net.ipv4.ip_default_ttl', 64),
    fragments: new FragmentQueues(BigInt(host.sysctl.number('net.ipv4.ipfrag_time', 30)) * 1_000_000_000n),
    now: 0n,
  };
}
