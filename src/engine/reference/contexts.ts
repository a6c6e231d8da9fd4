// What matches and targets see of a packet on its journey (MatchContext, TargetContext): the
// packet, its connection, the host, the clock, per-rule state, and for targets the means to act
// (NAT set-up, replies, untracking) on the journey.

import { routeLookup, selectSourceAddress } from '../../host/index.js';
import type { Hook, Rule, TableName } from '../../ir/ruleset.js';
import type { ConnEntry, NatContext } from '../conntrack/index.js';
import { ctPacketOf } from './ct-packet.js';
import { ctView } from './ct-view.js';
import type { EngineState } from './engine-state.js';
import { type Journey, packetChanged } from './journey.js';
import { icmpErrorSource } from './kernel-answers.js';
import type { CtView, MatchContext } from './match-context.js';
import { attachedTrack, queueReply } from './replies.js';
import type { TargetContext } from './target-executor.js';

/** The connection as the conntrack/state/connmark matches see it. */
export function ctViewOf(s: EngineState, j: Journey, hook: Hook): CtView {
  const p = j.packet;
  return ctView(j.track, j.untracked, s.conntrack, s.now, () => ctPacketOf(p.bytes, p.decoded, hook, false));
}

export function matchContext(s: EngineState, j: Journey, hook: Hook, table: TableName): MatchContext {
  return {
    family: j.packet.decoded.family,
    hook,
    table,
    packet: j.packet,
    get ct(): CtView {
      return ctViewOf(s, j, hook);
    },
    host: s.hostView,
    now: s.now,
    random: () => s.prng.nextU32(),
    ruleState: <T>(rule: Rule, key: object, init: () => T): T => {
      let m = s.ruleStates.get(rule);
      if (!m) {
        m = new Map();
        s.ruleStates.set(rule, m);
      }
      if (!m.has(key)) m.set(key, init());
      return m.get(key) as T;
    },
    sharedState: <T>(ns: string, name: string, init: () => T): T => {
      const k = `${ns}\0${name}`;
      if (!s.shared.has(k)) s.shared.set(k, init());
      return s.shared.get(k) as T;
    },
  };
}

/**
 * A target's context. Object.assign copies the getters' values, so `ct` and `connection` are
 * what they were when the table walk began (matches' `ct` stays live).
 */
export function targetContext(
  s: EngineState,
  j: Journey,
  hook: Hook,
  table: TableName,
  nat: NatContext | null,
): TargetContext {
  const base = matchContext(s, j, hook, table);
  const p = j.packet;
  return Object.assign(Object.create(Object.getPrototypeOf(base) as object) as TargetContext, base, {
    get ct(): CtView {
      return ctViewOf(s, j, hook);
    },
    get connection(): ConnEntry | null {
      return j.track?.kind === 'tracked' ? j.track.entry : null;
    },
    nat,
    packetChanged: () => packetChanged(j),
    masqueradeSource: () => {
      if (!p.oif) return null;
      const a = selectSourceAddress(s.host, p.oif, p.decoded.dst[0]);
      return a ? a.words : null;
    },
    incomingAddress: () => {
      if (!p.iif) return null;
      const a = selectSourceAddress(s.host, p.iif, p.decoded.src[0]);
      return a ? a.words : null;
    },
    icmpErrorSource: () => icmpErrorSource(s, p),
    replyTtl: s.defaultTtl,
    pathMtu: () => {
      const mtuOf = (dev: string | null | undefined) => (dev ? (s.host.interface(dev)?.mtu ?? 0) : 0);
      const back = routeLookup(s.host, p.decoded.src[0]!, {});
      const out = mtuOf(p.oif);
      const rev = back.ok ? mtuOf(back.oif) : 0xffffffff;
      return Math.min(out || 0xffffffff, rev || 0xffffffff);
    },
    // nf_send_reset ties the RST to the original connection (nf_ct_attach), and so does
    // icmp_send an ICMP error (icmp_glue_bits); the errors pass icmp_send's rate limit.
    sendReply: (bytes: Uint8Array, cause: string) =>
      queueReply(s, j, bytes, { cause, attach: attachedTrack(j) }),
    untrack: () => {
      j.untracked = true;
    },
    note: (text: string) => j.trace?.push({ kind: 'note', text }),
  });
}
