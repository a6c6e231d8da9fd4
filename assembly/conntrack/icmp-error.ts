// ICMP / ICMPv6 errors RELATED to the connection of the packet they quote (inetError and
// quotedTuple in src/engine/conntrack/icmp.ts; nf_conntrack_inet_error).

import {
  P_DST,
  P_FLAGS,
  P_Q_DPORT,
  P_Q_DST,
  P_Q_FLAGS,
  P_Q_ICMP_CODE,
  P_Q_ICMP_ID,
  P_Q_ICMP_TYPE,
  P_Q_PROTO,
  P_Q_SPORT,
  P_Q_SRC,
  P_ZONE,
  PF_IPV6,
  QF_ICMP,
  QF_PORTS,
  QF_PRESENT,
  QF_UNPARSABLE,
} from './layout';
import { entryReply } from './nat-store';
import { entryAt, find, foundNode } from './table';
import {
  entryOriginal,
  hasPorts,
  invertTuple,
  isIcmp,
  T_CODE,
  T_DPORT,
  T_DST,
  T_IPV6,
  T_PROTO,
  T_SPORT,
  T_SRC,
  T_TYPE,
  TUPLE_BYTES,
} from './tuple';

const quoted: usize = memory.data(<i32>TUPLE_BYTES, 16);
const inner: usize = memory.data(<i32>TUPLE_BYTES, 16);
const dirTuple: usize = memory.data(<i32>TUPLE_BYTES, 16);

/** quotedTuple: the quoted packet's tuple into `quoted`; false when unparsable. */
function quotedTuple(pkt: usize): bool {
  const q = load<u32>(pkt, P_Q_FLAGS);
  if ((q & QF_UNPARSABLE) !== 0) return false;
  const proto = load<u32>(pkt, P_Q_PROTO);
  const ports = hasPorts(proto);
  const icmp = isIcmp(proto);
  if (icmp && (q & QF_ICMP) === 0) return false;
  if (ports && (q & QF_PORTS) === 0) return false;
  store<u32>(quoted, (load<u32>(pkt, P_FLAGS) & PF_IPV6) !== 0 ? 1 : 0, T_IPV6);
  store<u32>(quoted, proto, T_PROTO);
  memory.copy(quoted + T_SRC, pkt + P_Q_SRC, 16);
  memory.copy(quoted + T_DST, pkt + P_Q_DST, 16);
  store<u32>(quoted, ports ? load<u16>(pkt, P_Q_SPORT) : icmp ? load<u16>(pkt, P_Q_ICMP_ID) : 0, T_SPORT);
  store<u32>(quoted, ports ? load<u16>(pkt, P_Q_DPORT) : 0, T_DPORT);
  store<u32>(quoted, icmp ? load<u8>(pkt, P_Q_ICMP_TYPE) : 0, T_TYPE);
  store<u32>(quoted, icmp ? load<u8>(pkt, P_Q_ICMP_CODE) : 0, T_CODE);
  return true;
}

/**
 * inetError: the connection of the quoted packet (its tuple inverted), whose destination in
 * the found direction must be the error's destination. Returns the found node (entry << 1 |
 * direction) or -1 (invalid).
 */
export function inetError(pkt: usize, now: i64): i64 {
  if ((load<u32>(pkt, P_Q_FLAGS) & QF_PRESENT) === 0) return -1;
  if (!quotedTuple(pkt)) return -1;
  if (!invertTuple(quoted, inner)) return -1;
  if (!find(inner, load<u32>(pkt, P_ZONE), now)) return -1;
  const node = foundNode;
  const e = entryAt(node >> 1);
  // tuple[direction].dst (the stored reply tuple's under NAT).
  if ((node & 1) === 0) entryOriginal(e, dirTuple);
  else entryReply(e, dirTuple);
  const ctDst = dirTuple + T_DST;
  if (load<u64>(ctDst) !== load<u64>(pkt + P_DST) || load<u64>(ctDst, 8) !== load<u64>(pkt + P_DST, 8))
    return -1;
  return <i64>node;
}
