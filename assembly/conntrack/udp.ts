// The UDP and UDP-Lite trackers (udpPacket, src/engine/conntrack/udp.ts;
// nf_conntrack_udp_packet): 30 s unreplied, then 120 s and ASSURED once the flow is still
// active two seconds after its first packet.

import {
  E_PROTO,
  E_UDP_STREAM_TS,
  IPPROTO_UDPLITE,
  IPS_ASSURED,
  IPS_NAT_CLASH,
  IPS_SEEN_REPLY,
  P_FLAGS,
  PF_BAD_CHECKSUM,
  PF_BAD_UDP_LENGTH,
  PF_PREROUTING,
  ST_CHECKSUM,
  ST_UDP,
  ST_UDP_STREAM,
} from './layout';
import { refresh } from './refresh';
import { seconds, secondsOf, setting } from './settings';
import { confirmed, setStatus, statusOf } from './table';
import { L4_ACCEPT, L4_INVALID } from './verdict';

export function udpPacket(e: usize, pkt: usize, now: i64): u32 {
  const flags = load<u32>(pkt, P_FLAGS);
  // udp_error / udplite_error
  if ((flags & PF_BAD_UDP_LENGTH) !== 0) return L4_INVALID;
  if ((flags & PF_PREROUTING) !== 0 && setting(ST_CHECKSUM) !== 0 && (flags & PF_BAD_CHECKSUM) !== 0)
    return L4_INVALID;

  const lite = <u32>load<u8>(e, E_PROTO) === IPPROTO_UDPLITE;
  if (!confirmed(e)) store<i64>(e, now + seconds(2), E_UDP_STREAM_TS);

  if ((statusOf(e) & IPS_SEEN_REPLY) !== 0) {
    let extra = secondsOf(ST_UDP);
    let stream = false;
    // Still active two seconds after the first packet (time_after: strictly later).
    if (lite || now > load<i64>(e, E_UDP_STREAM_TS)) {
      extra = secondsOf(ST_UDP_STREAM);
      stream = (statusOf(e) & IPS_ASSURED) === 0;
    }
    refresh(e, now, extra);
    if ((statusOf(e) & IPS_NAT_CLASH) !== 0) return L4_ACCEPT;
    if (stream) setStatus(e, IPS_ASSURED);
  } else {
    refresh(e, now, secondsOf(ST_UDP));
  }
  return L4_ACCEPT;
}
