// The UDP and UDP-Lite trackers (nf_conntrack_proto_udp.c, Linux 6.x): 30 s until a reply is
// seen, then 120 s and ASSURED once the flow is still active two seconds after its first packet.

import type { Hook } from '../../ir/ruleset.js';
import type { ConnEntry } from './entry.js';
import { ACCEPT, invalid, type L4Verdict } from './l4-verdict.js';
import { IPS_ASSURED, IPS_FIXED_TIMEOUT, IPS_NAT_CLASH, IPS_SEEN_REPLY } from './status.js';
import { type ConntrackSettings, seconds } from './timeouts.js';
import { type Direction, IPPROTO_UDPLITE } from './tuple.js';

export interface UdpPacketContext {
  readonly now: bigint;
  readonly hook: Hook;
  readonly badChecksum: boolean;
  readonly badLength: boolean;
  readonly bytes: number;
  readonly settings: ConntrackSettings;
}

/** nf_conntrack_udp_packet (and nf_conntrack_udplite_packet, which has no two-second rule). */
export function udpPacket(entry: ConnEntry, dir: Direction, ctx: UdpPacketContext): L4Verdict {
  const s = ctx.settings;
  // udp_error / udplite_error
  if (ctx.badLength) return invalid('truncated/malformed packet');
  if (ctx.hook === 'prerouting' && s.checksum && ctx.badChecksum) return invalid('bad checksum');

  const fixed = (entry.status & IPS_FIXED_TIMEOUT) !== 0;
  const lite = entry.tuple.original.protocol === IPPROTO_UDPLITE;
  if (!entry.confirmed) entry.proto = { kind: 'udp', streamTs: ctx.now + seconds(2) };

  if (entry.status & IPS_SEEN_REPLY) {
    let extra = seconds(s.udpTimeout);
    let stream = false;
    const p = entry.proto;
    // Still active two seconds after the first packet: a stream (time_after: strictly later).
    if (lite || (p.kind === 'udp' && ctx.now > p.streamTs)) {
      extra = seconds(s.udpTimeoutStream);
      stream = (entry.status & IPS_ASSURED) === 0;
    }
    entry.refresh(dir, ctx.now, extra, ctx.bytes, fixed);
    // Clash entries time out soon and are never assured.
    if (entry.status & IPS_NAT_CLASH) return ACCEPT;
    if (stream) entry.status |= IPS_ASSURED;
  } else {
    entry.refresh(dir, ctx.now, seconds(s.udpTimeout), ctx.bytes, fixed);
  }
  return ACCEPT;
}
