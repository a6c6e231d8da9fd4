// Receiving a frame: decoded (malformed and truncated frames stop here), handed to its bridge
// when it arrived on a bridge port (bridge-path.ts), else ip_rcv: the header checks of
// ip_rcv_core, PREROUTING (raw, conntrack, mangle, nat), and ip_rcv_finish's routing decision —
// local delivery (local-deliver.ts), forwarding (ip-forward.ts), or ip_error.

import { type Host, type RouteErrno, type RouteResult, routeLookup } from '../../host/index.js';
import { formatAddress } from '../../ir/address.js';
import { decodePacket, formatPacketSummary, isDecodeError } from '../../wire/packet.js';
import { bridgeCallsIptables, bridgeInput } from './bridge-path.js';
import type { EngineState } from './engine-state.js';
import { type Frame, LOCAL_INTERFACE } from './frame.js';
import { runHook } from './hook-runner.js';
import { ipForward } from './ip-forward.js';
import { drop, type Journey, journeyResult, newJourney, newPacket, verdictFate } from './journey.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_HOST_UNREACH,
  ICMP_NET_UNREACH,
  ICMP_PKT_FILTERED,
  icmpSend,
} from './kernel-answers.js';
import { localIn } from './local-deliver.js';
import { flushReplies, rawSend } from './local-out.js';
import { localDeliverDefrag } from './reassembly.js';
import type { Fate, PacketResult } from './result.js';
import type { TraceEvent } from './trace.js';

/** One received frame, and the replies it caused. */
export function receiveFrame(s: EngineState, frame: Frame, trace: TraceEvent[] | null): PacketResult {
  // A frame on a bridge port reaches the bridge first (br_handle_frame), which learns where
  // its sender is whatever it carries.
  const port = s.host.interface(frame.iif);
  const bridgeIf = port?.master !== undefined ? s.host.interface(port.master) : undefined;
  const bridge = bridgeIf?.kind === 'bridge' ? bridgeIf : undefined;
  const ethernet = frame.linkType === 'ethernet' && frame.bytes.length >= 14;
  if (bridge && ethernet) s.fdb.learn(bridge.name, frame.iif, frame.bytes.subarray(6, 12), s.now);
  const decoded = decodePacket(frame.bytes, frame.linkType);
  if (isDecodeError(decoded)) return malformed(`${decoded.layer}: ${decoded.error}`, trace);
  const start = decoded.l3Offset;
  const available = frame.bytes.length - start;
  if (decoded.ipLength > available)
    return malformed(`truncated: IP length ${decoded.ipLength}, ${available} bytes captured`, trace);
  // The datagram is copied: NAT and mangling rewrite it in place.
  const bytes = frame.bytes.slice(start, start + decoded.ipLength);
  const eth = decoded.ethernet;
  if (frame.iif === LOCAL_INTERFACE) return rawSend(s, bytes, decoded.family, trace);
  // Through a bridge, iptables sees the bridge as the interface and, when br_netfilter passes
  // the frame to it (bridge-nf-call-iptables), the port as physdev's.
  const callIptables = bridge !== undefined && bridgeCallsIptables(s);
  const packet = newPacket(bytes, decoded.family, frame.timestampNs, {
    iif: bridge ? bridge.name : frame.iif,
    physIn: callIptables ? frame.iif : null,
    macSrc: eth ? frame.bytes.slice(eth.srcOffset, eth.srcOffset + 6) : null,
    macDst: eth ? frame.bytes.slice(eth.dstOffset, eth.dstOffset + 6) : null,
  });
  const j = newJourney(packet, trace);
  trace?.push({ kind: 'received', iif: frame.iif, summary: formatPacketSummary(packet.decoded) });
  let fate: Fate;
  if (bridge && eth && packet.macDst && packet.macSrc) {
    if (packet.decoded.family === 'ipv4')
      s.fdb.sawAddress(bridge.name, packet.decoded.src[0]!, packet.macSrc);
    fate = bridgeInput(s, j, frame.iif, bridge.name, packet.macDst);
  } else fate = ipRcv(s, j);
  flushReplies(s, j);
  return journeyResult(j, fate);
}

function malformed(reason: string, trace: TraceEvent[] | null): PacketResult {
  trace?.push({ kind: 'malformed', reason });
  return { fate: { kind: 'malformed', reason }, emitted: [], conntrack: null, ...(trace ? { trace } : {}) };
}

/** ip_rcv: ip_rcv_core's header checks, then PREROUTING and the routing decision. */
export function ipRcv(s: EngineState, j: Journey): Fate {
  const d = j.packet.decoded;
  if (d.family === 'ipv4' && d.ipChecksumValid === false) {
    return drop(s, j, 'bad IPv4 header checksum (ip_rcv_core drops it before netfilter)');
  }
  const pre = runHook(s, j, 'prerouting');
  if (pre.verdict !== 'ACCEPT') return verdictFate(s, j, pre);
  return ipRcvFinish(s, j);
}

/** ip_rcv_finish: the routing decision for a received packet, after PREROUTING. */
export function ipRcvFinish(s: EngineState, j: Journey): Fate {
  const p = j.packet;
  if (p.decoded.family === 'ipv6') return drop(s, j, 'IPv6 routing is not modelled yet');
  const route = routeLookup(s.host, p.decoded.dst[0]!, { iif: p.iif!, src: p.decoded.src[0]! });
  if (!route.ok) {
    j.trace?.push({ kind: 'route', decision: `no route (${route.errno}: ${route.reason})` });
    ipError(s, j, route.errno);
    return drop(s, j, `routing: ${route.errno} (${route.reason})`);
  }
  j.trace?.push({ kind: 'route', decision: describeRoute(route) });
  if (route.type === 'local') return localIn(s, j);
  if (route.type === 'broadcast' || route.type === 'multicast') {
    // ip_local_deliver: INPUT sees it; no socket of nfwasm's takes it, and the kernel never
    // answers a broadcast or multicast (nf_send_reset, icmp_send: RTCF_BROADCAST|MULTICAST).
    j.castRoute = true;
    const held = localDeliverDefrag(s, j);
    if (held) return verdictFate(s, j, held);
    const input = runHook(s, j, 'input');
    if (input.verdict !== 'ACCEPT') return verdictFate(s, j, input);
    return drop(s, j, `${route.type} to this host: no socket modelled`);
  }
  return ipForward(s, j, route);
}

/**
 * ip_error: a received packet without a route. With forwarding on, the kernel answers
 * destination unreachable (no route: net unreachable; an unreachable route: host
 * unreachable; prohibit: communication prohibited), limited by its own token bucket per
 * sender (ip_rt_error_cost, ip_rt_error_burst) on top of ICMP's.
 */
function ipError(s: EngineState, j: Journey, errno: RouteErrno): void {
  const code = ipErrorCode(s.host, errno);
  if (code < 0) return;
  if (!s.icmpLimiter.allowRouteError(j.packet.decoded.src[0]!, s.now)) {
    j.trace?.push({ kind: 'note', text: 'ip_error: destination unreachable not sent (rate limit)' });
    return;
  }
  icmpSend(s, j, ICMP_DEST_UNREACH, code, `ip_error: destination unreachable code ${code}`);
}

/** The destination-unreachable code ip_error sends for a route error, or -1 when it sends none. */
export function ipErrorCode(host: Host, errno: RouteErrno): number {
  if (host.sysctl.number('net.ipv4.ip_forward') === 0) return -1;
  if (errno === 'ENETUNREACH') return ICMP_NET_UNREACH;
  if (errno === 'EHOSTUNREACH') return ICMP_HOST_UNREACH;
  if (errno === 'EACCES') return ICMP_PKT_FILTERED;
  return -1;
}

export function describeRoute(r: Extract<RouteResult, { ok: true }>): string {
  if (r.type === 'local') return 'local delivery (INPUT)';
  const via = r.gateway ? ` via ${formatAddress(r.gateway.family, r.gateway.words)}` : '';
  return `${r.type}: forward out of ${r.oif}${via} (FORWARD)`;
}
