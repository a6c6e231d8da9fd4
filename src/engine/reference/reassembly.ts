// Where the stack reassembles IPv4 fragments (the queues themselves are defrag.ts):
// conntrack's defragmentation before PREROUTING's and OUTPUT's tables, ip_local_deliver's before
// INPUT, and ip_expire for the queues whose time ran out.

import { routeLookup } from '../../host/index.js';
import type { Hook } from '../../ir/ruleset.js';
import { formatPacketSummary } from '../../wire/packet.js';
import { type DefragUser, isIpv4Fragment } from './defrag.js';
import type { EngineState } from './engine-state.js';
import { type HookOutcome, type Journey, newJourney, newPacket, packetChanged } from './journey.js';
import { ICMP_EXC_FRAGTIME, ICMP_TIME_EXCEEDED, icmpSend } from './kernel-answers.js';
import { flushReplies } from './local-out.js';
import type { EmittedPacket } from './result.js';
import type { TraceEvent } from './trace.js';

/**
 * ipv4_conntrack_defrag (nf_defrag_ipv4): a fragment is stolen into its queue
 * (nf_ct_ipv4_gather_frags → ip_defrag, user IP_DEFRAG_CONNTRACK_IN or _OUT); the fragment that
 * completes its datagram goes on as the whole datagram, with skb->ignore_df set.
 */
export function conntrackDefrag(s: EngineState, j: Journey, hook: Hook): HookOutcome | null {
  if (j.untracked || j.attached) return null;
  return gatherFragments(s, j, hook === 'output' ? 'conntrack-out' : 'conntrack-in', true);
}

/** ip_local_deliver: what conntrack did not reassemble is reassembled before INPUT (IP_DEFRAG_LOCAL_DELIVER). */
export function localDeliverDefrag(s: EngineState, j: Journey): HookOutcome | null {
  return gatherFragments(s, j, 'local-deliver', false);
}

/** ip_defrag: null when the packet goes on (whole, or the datagram it completed); else STOLEN. */
function gatherFragments(
  s: EngineState,
  j: Journey,
  user: DefragUser,
  ignoreDf: boolean,
): HookOutcome | null {
  const p = j.packet;
  if (p.decoded.family !== 'ipv4' || !isIpv4Fragment(p.bytes)) return null;
  const where =
    user === 'local-deliver'
      ? 'ip_local_deliver (before INPUT)'
      : `nf_defrag_ipv4 (${user === 'conntrack-out' ? 'OUTPUT' : 'PREROUTING'}, before raw)`;
  const r = s.fragments.defrag(
    p.bytes,
    user,
    { iif: p.iif ?? 'lo', macSrc: p.macSrc, macDst: p.macDst },
    s.now,
  );
  if (r.kind === 'held') {
    j.trace?.push({ kind: 'note', text: `${where}: ${r.reason}` });
    return { verdict: 'STOLEN', fate: { kind: 'queued', reason: r.reason } };
  }
  if (r.kind === 'dropped') {
    const reason = `${where}: ${r.reason}`;
    j.trace?.push({ kind: 'dropped', reason });
    return { verdict: 'STOLEN', fate: { kind: 'dropped', reason } };
  }
  const before = formatPacketSummary(p.decoded);
  p.bytes = r.bytes;
  p.macSrc = r.macSrc;
  p.macDst = r.macDst;
  packetChanged(j);
  j.frag = { fragMaxSize: r.fragMaxSize, pmtu: r.pmtu, ignoreDf, pieces: r.pieces };
  j.trace?.push({
    kind: 'rewrite',
    what: `${where}: reassembled from ${r.pieces.length} fragments (this one completed it)`,
    before,
    after: formatPacketSummary(p.decoded),
  });
  return null;
}

/**
 * ip_expire for the queues whose ipfrag_time ran out: their fragments are freed; when the first
 * fragment had come, an end host sends ICMP time exceeded (fragment reassembly) about it —
 * conntrack's queues only when it was addressed to the host (frag_expire_skip_icmp).
 */
export function runFragmentTimers(s: EngineState, trace: TraceEvent[] | null): EmittedPacket[] {
  const emitted: EmittedPacket[] = [];
  for (const q of s.fragments.expire(s.now)) {
    const waited = s.host.sysctl.number('net.ipv4.ipfrag_time', 30);
    const gone = `ip_expire: the fragments of ${q.description} waited ipfrag_time (${waited} s) and were dropped`;
    if (!q.head) {
      trace?.push({ kind: 'note', text: `${gone} (the first fragment never came: no ICMP)` });
      continue;
    }
    const packet = newPacket(q.head.bytes.slice(), 'ipv4', q.expiredAtNs, {
      iif: q.iif,
      macSrc: q.head.macSrc,
      macDst: q.head.macDst,
    });
    const j = newJourney(packet, trace);
    const route = routeLookup(s.host, packet.decoded.dst[0]!, { iif: q.iif, src: packet.decoded.src[0]! });
    if (!route.ok) {
      trace?.push({ kind: 'note', text: `${gone} (no route for the first fragment: no ICMP)` });
      continue;
    }
    if (route.type === 'broadcast' || route.type === 'multicast') {
      trace?.push({ kind: 'note', text: `${gone} (${route.type} destination: no ICMP)` });
      continue;
    }
    if (q.user !== 'local-deliver' && route.type !== 'local') {
      trace?.push({
        kind: 'note',
        text: `${gone} (not addressed to this host: no ICMP from conntrack's queue)`,
      });
      continue;
    }
    trace?.push({ kind: 'note', text: gone });
    icmpSend(s, j, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 'ip_expire: fragment reassembly time exceeded');
    flushReplies(s, j);
    emitted.push(...j.emitted);
  }
  return emitted;
}
