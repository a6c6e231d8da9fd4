// Packets the host generates: ip_local_out → the output route → OUTPUT (raw, conntrack, mangle,
// nat, filter, security) → re-routing when NAT or a mark changed it (ip_route_me_harder) →
// POSTROUTING and out (ip-output.ts), or through lo back in (loopback_xmit).

import { addressType as hostAddressType, routeLookup } from '../../host/index.js';
import type { Family } from '../../ir/address.js';
import { get8, get16, put16 } from '../../wire/bytes.js';
import { Ipv4View } from '../../wire/ipv4.js';
import { formatPacketSummary } from '../../wire/packet.js';
import type { TrackResult } from '../conntrack/index.js';
import type { EngineState } from './engine-state.js';
import { runHook } from './hook-runner.js';
import { describeRoute } from './ip-input.js';
import { postRouting } from './ip-output.js';
import { drop, type Journey, journeyResult, newJourney, newPacket, verdictFate } from './journey.js';
import { localIn } from './local-deliver.js';
import type { Fate, PacketResult } from './result.js';
import type { TraceEvent } from './trace.js';

/**
 * A packet the host sends itself (trace interface `@local`), as a raw socket with
 * IP_HDRINCL sends it (raw_send_hdrinc): a zero source is filled in by the route, tot_len is
 * the datagram's length, a zero IP id gets the kernel's choice, and the header checksum is
 * computed afresh. It has no owning socket (the owner match sees none).
 */
export function rawSend(
  s: EngineState,
  bytes: Uint8Array,
  family: Family,
  trace: TraceEvent[] | null,
): PacketResult {
  if (family === 'ipv6') {
    const reason = 'IPv6 output routing is not modelled yet';
    trace?.push({ kind: 'dropped', reason });
    return { fate: { kind: 'dropped', reason }, emitted: [], conntrack: null, ...(trace ? { trace } : {}) };
  }
  const ip = new Ipv4View(bytes, 0, bytes.length);
  if (ip.src === 0) {
    const r = routeLookup(s.host, ip.dst, {});
    if (r.ok && r.prefsrc) ip.src = r.prefsrc.words[0]!;
  }
  put16(bytes, 2, bytes.length);
  if (get16(bytes, 4) === 0) put16(bytes, 4, s.prng.nextU32() & 0xffff);
  ip.updateChecksum();
  return localOut(s, bytes, 'sent by the host', null, trace);
}

/** Sends the replies generated while processing a packet, each down the local output path. */
export function flushReplies(s: EngineState, j: Journey): void {
  while (j.replies.length > 0) {
    const r = j.replies.shift()!;
    const out = localOut(s, r.bytes, r.cause, r.attach, j.trace);
    j.emitted.push(...out.emitted);
  }
}

/** ip_local_out for a packet the host generated; `attach` is the connection it is tied to. */
export function localOut(
  s: EngineState,
  bytes: Uint8Array,
  cause: string,
  attach: TrackResult | null,
  trace: TraceEvent[] | null,
): PacketResult {
  const family: Family = get8(bytes, 0) >>> 4 === 6 ? 'ipv6' : 'ipv4';
  const packet = newPacket(bytes, family, s.now);
  const j = newJourney(packet, trace);
  if (attach) {
    j.track = attach;
    j.attached = true;
  }
  trace?.push({ kind: 'generated', why: cause, summary: formatPacketSummary(packet.decoded) });
  const fate = routeOutput(s, j, cause);
  flushReplies(s, j);
  return journeyResult(j, fate);
}

/** ip_route_output, OUTPUT, and ip_route_me_harder when OUTPUT changed the destination or mark. */
function routeOutput(s: EngineState, j: Journey, cause: string): Fate {
  const p = j.packet;
  if (p.decoded.family === 'ipv6') return drop(s, j, 'IPv6 output routing is not modelled yet');
  // The source steers the lookup only when it is the host's (a raw socket's spoofed source
  // does not: its flow has no source address).
  const src = p.decoded.src[0]!;
  const ownSource = hostAddressType(s.host, { family: 'ipv4', words: [src] }) === 'local';
  let route = routeLookup(s.host, p.decoded.dst[0]!, ownSource ? { src } : {});
  if (!route.ok) return drop(s, j, `output routing: ${route.errno} (${route.reason})`);
  p.oif = route.oif;
  j.nextHop = route.gateway?.words[0] ?? p.decoded.dst[0]!;
  const before = { dst: p.decoded.dst[0], mark: p.mark };
  const out = runHook(s, j, 'output');
  if (out.verdict !== 'ACCEPT') return verdictFate(s, j, out);
  // ip_route_me_harder: a new destination or mark means a new route.
  if (p.decoded.dst[0] !== before.dst || p.mark !== before.mark) {
    const own = hostAddressType(s.host, { family: 'ipv4', words: [p.decoded.src[0]!] }) === 'local';
    route = routeLookup(
      s.host,
      p.decoded.dst[0]!,
      own ? { src: p.decoded.src[0]!, mark: p.mark } : { mark: p.mark },
    );
    if (!route.ok) return drop(s, j, `re-routing after OUTPUT: ${route.errno}`);
    p.oif = route.oif;
    j.nextHop = route.gateway?.words[0] ?? p.decoded.dst[0]!;
    j.trace?.push({ kind: 'route', decision: `re-routed: ${describeRoute(route)}` });
  }
  if (route.type === 'local') return loopback(s, j);
  return postRouting(s, j, cause);
}

/**
 * A packet for a local address leaves by lo (POSTROUTING, confirmation) and comes straight
 * back in (loopback_xmit → netif_rx → ip_rcv): PREROUTING's tables run, but conntrack keeps
 * the connection the packet already has (nf_conntrack_in skips it) and NAT applies the
 * bindings OUTPUT and POSTROUTING set up; then routing, INPUT and local delivery.
 */
function loopback(s: EngineState, j: Journey): Fate {
  const p = j.packet;
  const post = runHook(s, j, 'postrouting');
  if (post.verdict !== 'ACCEPT') return verdictFate(s, j, post);
  j.trace?.push({ kind: 'route', decision: 'looped back through lo' });
  p.iif = 'lo';
  p.oif = null;
  j.attached = j.track !== null;
  j.lastDecision = undefined;
  j.filterDecision = undefined;
  // The packet keeps its output route (ip_rcv_finish looks up no input route for it). A
  // reassembled datagram would leave lo in fragments and be reassembled again by PREROUTING's
  // defrag before any table: the tables see it whole either way.
  const pre = runHook(s, j, 'prerouting');
  if (pre.verdict !== 'ACCEPT') return verdictFate(s, j, pre);
  return localIn(s, j);
}
