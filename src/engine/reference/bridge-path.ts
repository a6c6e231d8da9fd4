// A frame received on a bridge port (br_handle_frame): up to IP when it is for the host,
// forwarded to the port the forwarding database (bridge.ts) knows, or flooded to every other
// port (br_flood). With bridge-nf-call-iptables, br_netfilter runs PREROUTING once for the frame
// (br_nf_pre_routing) and FORWARD and POSTROUTING once per copy (br_nf_forward_ip,
// br_nf_post_routing), with -i/-o the bridge and physdev the ports.

import { routeLookup } from '../../host/index.js';
import { formatAddress } from '../../ir/address.js';
import { formatPacketSummary } from '../../wire/packet.js';
import { macText } from './bridge.js';
import type { EngineState } from './engine-state.js';
import { runHook } from './hook-runner.js';
import { ipRcv, ipRcvFinish } from './ip-input.js';
import { postRouting } from './ip-output.js';
import { drop, type Journey, redecode, releaseIfUnconfirmed, verdictFate } from './journey.js';
import type { EnginePacket } from './packet.js';
import type { Fate } from './result.js';

/** sysctl net.bridge.bridge-nf-call-iptables: br_netfilter passes bridged IPv4 to iptables. */
export function bridgeCallsIptables(s: EngineState): boolean {
  return s.host.sysctl.number('net.bridge.bridge-nf-call-iptables') !== 0;
}

/** A bridge's ports in the order br_flood visits them: br_add_if puts each new port first. */
function bridgePorts(s: EngineState, bridge: string): string[] {
  return s.host.interfaces
    .filter((i) => i.master === bridge)
    .map((i) => i.name)
    .reverse();
}

/** The ports a routed packet out of `oif` leaves by, or undefined when `oif` is no bridge. */
export function bridgeEgress(s: EngineState, oif: string, nextHop: number): string[] | undefined {
  if (s.host.interface(oif)?.kind !== 'bridge') return undefined;
  const mac = neighbourMac(s, oif, nextHop);
  const port = mac ? s.fdb.port(oif, mac, s.now) : undefined;
  return port ? [port] : bridgePorts(s, oif);
}

/** The MAC the host would send to for `ipv4` on the bridge (as heard from it, else `ip neigh`). */
function neighbourMac(s: EngineState, bridge: string, ipv4: number): string | undefined {
  return (
    s.fdb.macOf(bridge, ipv4) ??
    s.host.neighbours.find((n) => n.dev === bridge && n.address.words[0] === ipv4)?.mac?.toLowerCase() ??
    undefined
  );
}

/**
 * br_handle_frame_finish with br_netfilter: a frame for the bridge itself (its MAC or a
 * port's) goes up to IP; a unicast frame to a known station is forwarded to its port (and
 * dropped when that is the port it came from); unknown unicast, broadcast and multicast are
 * flooded to every other port, broadcast and multicast also going up. With
 * bridge-nf-call-iptables, PREROUTING runs once for the frame (br_nf_pre_routing, -i the
 * bridge, physdev-in the port) and FORWARD and POSTROUTING once per copy (br_nf_forward_ip,
 * br_nf_post_routing: -i/-o the bridge, physdev-out the copy's port); without it iptables sees
 * only what goes up to IP.
 */
export function bridgeInput(
  s: EngineState,
  j: Journey,
  port: string,
  bridge: string,
  macDst: Uint8Array,
): Fate {
  const dst = macText(macDst);
  const own = [bridge, ...bridgePorts(s, bridge)].some(
    (n) => s.host.interface(n)?.mac?.toLowerCase() === dst,
  );
  if (!bridgeCallsIptables(s)) return own ? ipRcv(s, j) : bridgeFrame(s, j, port, bridge, dst, false);
  const p = j.packet;
  if (p.decoded.family === 'ipv4' && p.decoded.ipChecksumValid === false)
    return drop(s, j, 'bad IPv4 header checksum (br_validate_ipv4)');
  const before = p.decoded.dst[0];
  const pre = runHook(s, j, 'prerouting');
  if (pre.verdict !== 'ACCEPT') return verdictFate(s, j, pre);
  if (p.decoded.family === 'ipv4' && p.decoded.dst[0] !== before) {
    // br_nf_pre_routing_finish: after DNAT the frame is routed, unless the new destination is
    // reached through this same bridge: then it is bridged on (bridged_dnat) to the
    // neighbour's MAC (br_nf_pre_routing_finish_bridge), never routed.
    const route = routeLookup(s.host, p.decoded.dst[0]!, { iif: bridge, src: p.decoded.src[0]! });
    if (route.ok && route.oif === bridge && route.type === 'unicast') {
      const hop = route.gateway?.words[0] ?? p.decoded.dst[0]!;
      const mac = neighbourMac(s, bridge, hop);
      if (!mac) return drop(s, j, `bridged DNAT: no neighbour entry for ${formatAddress('ipv4', [hop])}`);
      j.trace?.push({ kind: 'note', text: `bridged DNAT: the frame stays on ${bridge}, to ${mac}` });
      return bridgeFrame(s, j, port, bridge, mac, true);
    }
    return ipRcvFinish(s, j);
  }
  // Up to IP: PREROUTING has run (ip_sabotage_in skips the second pass in ip_rcv).
  if (own) return ipRcvFinish(s, j);
  return bridgeFrame(s, j, port, bridge, dst, true);
}

/** br_handle_frame_finish's forwarding part for a frame to `dst` (a MAC) that came in on `port`. */
function bridgeFrame(
  s: EngineState,
  j: Journey,
  port: string,
  bridge: string,
  dst: string,
  callIptables: boolean,
): Fate {
  const group = (Number.parseInt(dst.slice(0, 2), 16) & 1) !== 0;
  const known = group ? undefined : s.fdb.port(bridge, dst, s.now);
  const egress = known ? (known === port ? [] : [known]) : bridgePorts(s, bridge).filter((n) => n !== port);
  if (egress.length === 0 && !group)
    return drop(s, j, `bridge ${bridge}: the destination is on the ingress port (no hairpin mode)`);
  j.trace?.push({
    kind: 'route',
    decision: `bridged by ${bridge} to ${egress.join(', ')}${known ? '' : ' (flooded)'}`,
  });
  let fate: Fate = { kind: 'dropped', reason: 'no copy left the bridge' };
  let forwarded = false;
  for (const out of egress) {
    const copy = bridgedCopy(j, bridge, out);
    const f = callIptables ? bridgeForward(s, copy) : bridgeOut(copy);
    if (f.kind === 'forwarded') forwarded = true;
    if (!forwarded) fate = f;
  }
  if (forwarded) fate = { kind: 'forwarded', oif: bridge };
  // Broadcast and multicast frames also go up to the host (br_pass_frame_up).
  if (group) {
    const up = callIptables ? ipRcvFinish(s, j) : ipRcv(s, j);
    if (!forwarded) fate = up;
  } else releaseIfUnconfirmed(s, j); // the last clone gone, an unconfirmed connection is too
  return fate;
}

/**
 * One copy of a bridged frame for one egress port (br_flood clones the skb). The copy shares
 * the journey's emitted packets and replies.
 */
function bridgedCopy(j: Journey, bridge: string, port: string): Journey {
  const bytes = j.packet.bytes.slice();
  const packet: EnginePacket = {
    ...j.packet,
    bytes,
    decoded: redecode(bytes, j.packet.decoded.family),
    oif: bridge,
    physOut: port,
    bridged: true,
  };
  return { ...j, packet, clone: true };
}

/** br_nf_forward_ip → FORWARD, then br_nf_post_routing → POSTROUTING; no TTL change. */
function bridgeForward(s: EngineState, j: Journey): Fate {
  const fwd = runHook(s, j, 'forward');
  if (fwd.verdict !== 'ACCEPT') return verdictFate(s, j, fwd);
  return postRouting(s, j, 'bridged');
}

/** Without bridge-nf-call-iptables the copy just leaves by its port (br_forward). */
function bridgeOut(j: Journey): Fate {
  const p = j.packet;
  j.emitted.push({ oif: p.oif!, port: p.physOut!, bytes: p.bytes, cause: 'bridged' });
  j.trace?.push({
    kind: 'emitted',
    oif: `${p.oif} (port ${p.physOut})`,
    summary: formatPacketSummary(p.decoded),
  });
  return { kind: 'forwarded', oif: p.oif! };
}
