// ip_forward: a received packet routed to another host — forwarding on, TTL checked (time
// exceeded) and decremented, DF against the way out's MTU (fragmentation needed) — then
// FORWARD (mangle, filter, security) and POSTROUTING.

import type { RouteResult } from '../../host/index.js';
import { get16 } from '../../wire/bytes.js';
import { IP_DF, Ipv4View } from '../../wire/ipv4.js';
import type { EngineState } from './engine-state.js';
import type { OutputFragInfo } from './fragment-output.js';
import { runHook } from './hook-runner.js';
import { postRouting } from './ip-output.js';
import { drop, type Journey, packetChanged, verdictFate } from './journey.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_EXC_TTL,
  ICMP_FRAG_NEEDED,
  ICMP_TIME_EXCEEDED,
  icmpSend,
} from './kernel-answers.js';
import type { Fate } from './result.js';

export function ipForward(s: EngineState, j: Journey, route: Extract<RouteResult, { ok: true }>): Fate {
  const p = j.packet;
  if (s.host.sysctl.number('net.ipv4.ip_forward') === 0) {
    return drop(s, j, 'forwarding is off (net.ipv4.ip_forward = 0)');
  }
  // ip_forward: the TTL is checked and decremented before the FORWARD hook.
  if (p.decoded.ttl <= 1) {
    icmpSend(s, j, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 'ip_forward: time exceeded');
    return drop(s, j, 'TTL exceeded (ip_forward)');
  }
  // ip_exceeds_mtu: DF and too big for the way out (a reassembled datagram: when a fragment was).
  const mtu = s.host.interface(route.oif)?.mtu ?? 1500;
  if (exceedsMtu(p.bytes, mtu, j.frag)) {
    icmpSend(s, j, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 'ip_forward: fragmentation needed', mtu);
    return drop(
      s,
      j,
      `fragmentation needed: ${p.bytes.length} bytes with DF, ${route.oif}'s MTU is ${mtu} (ip_forward)`,
    );
  }
  const ip = new Ipv4View(p.bytes, 0, p.bytes.length);
  ip.decreaseTtl();
  packetChanged(j);
  p.oif = route.oif;
  j.nextHop = route.gateway?.words[0] ?? p.decoded.dst[0]!;
  const fwd = runHook(s, j, 'forward');
  if (fwd.verdict !== 'ACCEPT') return verdictFate(s, j, fwd);
  return postRouting(s, j, 'forwarded');
}

/**
 * ip_exceeds_mtu: a datagram longer than the MTU with DF may not be forwarded — unless it was
 * reassembled here (ignore_df) from fragments that each fit.
 */
function exceedsMtu(bytes: Uint8Array, mtu: number, frag: OutputFragInfo): boolean {
  if (bytes.length <= mtu) return false;
  if ((get16(bytes, 6) & IP_DF) === 0) return false;
  if (frag.fragMaxSize > mtu) return true;
  return !frag.ignoreDf;
}
