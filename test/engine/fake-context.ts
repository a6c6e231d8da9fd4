// Small, explicit worlds for testing match and target evaluators: a packet from its one-line
// form, a connection state, a host, a clock and a seeded random source — all overridable.

import type { CtView, HostView, MatchContext } from '../../src/engine/reference/match-context.js';
import type { EnginePacket } from '../../src/engine/reference/packet.js';
import type { Hook, Rule, TableName } from '../../src/ir/ruleset.js';
import { parsePacketSpec } from '../../src/wire/packet-text.js';

/** A packet from `tcp 198.51.100.7:40000 > 203.0.113.1:80 iif eth0 flags S` and friends. */
export function packetFrom(spec: string, overrides: Partial<EnginePacket> = {}): EnginePacket {
  const r = parsePacketSpec(spec);
  if ('error' in r) throw new Error(`bad packet spec '${spec}': ${r.error}`);
  return {
    bytes: r.bytes,
    decoded: r.packet,
    timestampNs: 0n,
    iif: r.iif ?? null,
    oif: r.oif ?? null,
    physIn: null,
    physOut: null,
    bridged: false,
    macSrc: null,
    macDst: null,
    mark: 0,
    socket: null,
    ...overrides,
  };
}

export const NO_CT: CtView = { state: 'untracked', direction: 'original', entry: null };

export const SIMPLE_HOST: HostView = {
  addressType: () => 'unicast',
  reversePathOk: () => true,
  interfaceGroup: () => 0,
};

/** A splitmix32-style counter generator: deterministic and good enough for tests. */
export function seededRandom(seed = 1): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export interface FakeContextOptions {
  readonly hook?: Hook;
  readonly table?: TableName;
  readonly ct?: CtView;
  readonly host?: HostView;
  readonly nowNs?: bigint;
  readonly random?: () => number;
}

/** A MatchContext whose per-rule and shared state persist across calls on the same object. */
export function fakeContext(
  packet: EnginePacket,
  o: FakeContextOptions = {},
): MatchContext & { now: bigint } {
  const ruleStates = new Map<Rule, Map<object, unknown>>();
  const shared = new Map<string, unknown>();
  const ctx = {
    family: packet.decoded.family,
    hook: o.hook ?? 'input',
    table: o.table ?? 'filter',
    packet,
    ct: o.ct ?? NO_CT,
    host: o.host ?? SIMPLE_HOST,
    now: o.nowNs ?? packet.timestampNs,
    random: o.random ?? seededRandom(),
    ruleState<T>(rule: Rule, key: object, init: () => T): T {
      let m = ruleStates.get(rule);
      if (!m) {
        m = new Map();
        ruleStates.set(rule, m);
      }
      if (!m.has(key)) m.set(key, init());
      return m.get(key) as T;
    },
    sharedState<T>(namespace: string, name: string, init: () => T): T {
      const k = `${namespace}\0${name}`;
      if (!shared.has(k)) shared.set(k, init());
      return shared.get(k) as T;
    },
  };
  return ctx;
}
