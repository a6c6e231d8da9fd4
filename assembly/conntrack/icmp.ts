// ICMP / ICMPv6 query tracking (icmpPacket, src/engine/conntrack/icmp.ts;
// nf_conntrack_icmp_packet, nf_conntrack_icmpv6_packet) and the error-path classification
// before it (icmpError): errors themselves (RELATED via the quoted tuple) are left to the host.

import { E_ICMP_TYPE, E_PROTO, IPPROTO_ICMP, ST_ICMP, ST_ICMPV6 } from './layout';
import { refresh } from './refresh';
import { secondsOf } from './settings';
import { confirmed } from './table';
import { L4_ACCEPT, L4_INVALID } from './verdict';

/** icmp_is_err. */
export function icmpIsError(type: u32): bool {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** nf_conntrack_icmpv6_error's noct_valid_new: MLD and neighbour discovery. */
export function icmpv6Untracked(type: u32): bool {
  return (type >= 130 && type <= 136) || type === 143 || type === 151 || type === 152;
}

export function icmpPacket(e: usize, now: i64): u32 {
  const type = <u32>load<u8>(e, E_ICMP_TYPE);
  const v4 = <u32>load<u8>(e, E_PROTO) === IPPROTO_ICMP;
  if (v4) {
    if (type !== 8 && type !== 13 && type !== 15 && type !== 17) return L4_INVALID;
  } else if (!confirmed(e) && type !== 128 && type !== 139) {
    return L4_INVALID;
  }
  refresh(e, now, secondsOf(v4 ? ST_ICMP : ST_ICMPV6));
  return L4_ACCEPT;
}
