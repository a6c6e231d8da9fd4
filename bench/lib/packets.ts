// Packets and match contexts shared by the benchmarks: engine packets from IP bytes or packet
// specs, packets aimed at a kube-proxy dump's services, and a stateless match context.

import type { MatchContext } from '../../src/engine/reference/match-context.js';
import type { EnginePacket } from '../../src/engine/reference/packet.js';
import { formatIpv4 } from '../../src/ir/address.js';
import type { Hook, Rule, Ruleset, TableName } from '../../src/ir/ruleset.js';
import { decodePacket, isDecodeError } from '../../src/wire/packet.js';
import { parsePacketSpec } from '../../src/wire/packet-text.js';
import { Prng } from '../generate/kube-proxy.js';

/** An engine packet around IPv4 bytes (from the IP header on). */
export function enginePacket(bytes: Uint8Array, iif: string | null, oif: string | null): EnginePacket {
  const decoded = decodePacket(bytes, 'raw-ipv4');
  if (isDecodeError(decoded)) throw new Error(decoded.error);
  return withMeta(bytes, decoded, iif, oif);
}

function withMeta(
  bytes: Uint8Array,
  decoded: EnginePacket['decoded'],
  iif: string | null,
  oif: string | null,
): EnginePacket {
  return {
    bytes,
    decoded,
    timestampNs: 0n,
    iif,
    oif,
    physIn: null,
    physOut: null,
    bridged: false,
    macSrc: null,
    macDst: null,
    mark: 0,
    socket: null,
  };
}

/** An engine packet from a spec such as `tcp 10.0.0.1:40000 > 10.0.0.2:80 iif eth0`. */
export function specPacket(spec: string, oif: string | null = null): EnginePacket {
  const s = parsePacketSpec(spec);
  if ('error' in s) throw new Error(s.error);
  return withMeta(s.bytes, s.packet, s.iif, oif);
}

/** Packets to the services KUBE-SERVICES dispatches on (destination/32 + tcp/udp port). */
export function kubeServicePackets(ruleset: Ruleset, n: number, seed: number): EnginePacket[] {
  const targets: string[] = [];
  const nat = ruleset.tables.find((t) => t.name === 'nat');
  const services = nat?.chains.find((c) => c.name === 'KUBE-SERVICES');
  if (!services) throw new Error('no nat KUBE-SERVICES chain');
  for (const r of services.rules) {
    const d = r.matches.find((m) => m.kind === 'destination');
    const l4 = r.matches.find((m) => m.kind === 'tcp' || m.kind === 'udp');
    if (d?.kind === 'destination' && (l4?.kind === 'tcp' || l4?.kind === 'udp') && l4.dport)
      targets.push(
        `${l4.kind} 10.244.1.7:40000 > ${formatIpv4(d.net.addr[0]!)}:${l4.dport.value.from} iif eth0`,
      );
  }
  const prng = new Prng(seed);
  return Array.from({ length: n }, () => specPacket(targets[prng.below(targets.length)]!));
}

/** A match context whose packet the caller sets before each walk. */
export type BenchContext = Omit<MatchContext, 'packet'> & { packet: EnginePacket };

/**
 * A context for stateless walks: conntrack state NEW, every address unicast, reverse path ok;
 * `random` feeds statistic, and per-rule state is kept so nth/limit behave.
 */
export function benchContext(hook: Hook, table: TableName, random: () => number = () => 0): BenchContext {
  const states = new Map<Rule, Map<object, unknown>>();
  return {
    family: 'ipv4',
    hook,
    table,
    packet: undefined as unknown as EnginePacket,
    ct: { state: 'new', direction: 'original', entry: null },
    host: { addressType: () => 'unicast', reversePathOk: () => true, interfaceGroup: () => 0 },
    now: 0n,
    random,
    ruleState<T>(rule: Rule, key: object, init: () => T): T {
      let m = states.get(rule);
      if (!m) {
        m = new Map();
        states.set(rule, m);
      }
      if (!m.has(key)) m.set(key, init());
      return m.get(key) as T;
    },
    sharedState: <T>(_ns: string, _name: string, init: () => T): T => init(),
  };
}
