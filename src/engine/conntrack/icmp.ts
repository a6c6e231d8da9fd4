// ICMP and ICMPv6 tracking (nf_conntrack_proto_icmp.c, nf_conntrack_proto_icmpv6.c): query/
// reply pairs such as echo are connections keyed by their id (30 s); error messages are
// RELATED to the connection of the packet they quote.

import type { Hook } from '../../ir/ruleset.js';
import type { ConnEntry } from './entry.js';
import { ACCEPT, invalid, type L4Verdict } from './l4-verdict.js';
import type { CtPacket, QuotedPacket } from './packet.js';
import { IPS_FIXED_TIMEOUT } from './status.js';
import { type ConntrackSettings, seconds } from './timeouts.js';
import {
  addressEqual,
  type Direction,
  hasPorts,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  invertTuple,
  isIcmp,
  type Tuple,
} from './tuple.js';

/** icmp_is_err: destination unreachable, source quench, redirect, time exceeded, parameter problem. */
export function icmpIsError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

// nf_conntrack_icmp_packet's valid_new: the types that may open a connection.
const ICMP_VALID_NEW = new Set([8, 13, 15, 17]);
// nf_conntrack_icmpv6_packet's valid_new: echo request, node information query.
const ICMPV6_VALID_NEW = new Set([128, 139]);
// nf_conntrack_icmpv6_error's noct_valid_new: MLD and neighbour discovery are never tracked.
const ICMPV6_UNTRACKED = new Set([130, 131, 132, 133, 134, 135, 136, 143, 151, 152]);
const NDISC_REDIRECT = 137;
const NR_ICMP_TYPES = 18;

/** nf_conntrack_icmp_packet / nf_conntrack_icmpv6_packet. */
export function icmpPacket(
  entry: ConnEntry,
  dir: Direction,
  now: bigint,
  bytes: number,
  settings: ConntrackSettings,
): L4Verdict {
  const orig = entry.tuple.original;
  if (orig.protocol === IPPROTO_ICMP) {
    if (!ICMP_VALID_NEW.has(orig.icmpType))
      return invalid(`icmp: can't create new conn with type ${orig.icmpType}`);
  } else if (!entry.confirmed && !ICMPV6_VALID_NEW.has(orig.icmpType)) {
    return invalid(`icmpv6: can't create new conn with type ${orig.icmpType}`);
  }
  const timeout = orig.protocol === IPPROTO_ICMP ? settings.icmpTimeout : settings.icmpv6Timeout;
  entry.refresh(dir, now, seconds(timeout), bytes, (entry.status & IPS_FIXED_TIMEOUT) !== 0);
  return ACCEPT;
}

/** The tuple of a quoted packet (nf_ct_get_tuplepr on the inner header); null if unparsable. */
export function quotedTuple(pkt: CtPacket, q: QuotedPacket): Tuple | null {
  if (q.unparsable) return null;
  const ports = hasPorts(q.protocol);
  if (isIcmp(q.protocol) && !q.icmp) return null;
  if (ports && (q.sport === undefined || q.dport === undefined)) return null;
  return {
    family: pkt.family,
    protocol: q.protocol,
    src: q.src,
    dst: q.dst,
    sport: ports ? q.sport! : isIcmp(q.protocol) ? q.icmp!.id : 0,
    dport: ports ? q.dport! : 0,
    icmpType: isIcmp(q.protocol) ? q.icmp!.type : 0,
    icmpCode: isIcmp(q.protocol) ? q.icmp!.code : 0,
  };
}

/** How the error path classifies an ICMP packet before normal tracking. */
export type IcmpErrorOutcome =
  /** Not an error message: track it like any packet (query/reply). */
  | { readonly kind: 'not-error' }
  | { readonly kind: 'invalid'; readonly reason: string }
  /** ICMPv6 neighbour discovery and MLD: IP_CT_UNTRACKED. */
  | { readonly kind: 'untracked' }
  | { readonly kind: 'related'; readonly entry: ConnEntry; readonly direction: Direction };

export type TupleFinder = (t: Tuple) => { entry: ConnEntry; direction: Direction } | null;

/**
 * nf_conntrack_inet_error: find the connection of the quoted packet. The quoted header is the
 * packet as it was sent, so its tuple is inverted before the lookup; the connection's
 * destination in the found direction must be the error's destination.
 */
function inetError(pkt: CtPacket, find: TupleFinder): IcmpErrorOutcome {
  if (!pkt.quoted) return { kind: 'invalid', reason: 'icmp error quotes no parsable packet' };
  const orig = quotedTuple(pkt, pkt.quoted);
  if (!orig) return { kind: 'invalid', reason: 'icmp error quotes no parsable packet' };
  const inner = invertTuple(orig);
  if (!inner) return { kind: 'invalid', reason: 'quoted tuple cannot be inverted' };
  const found = find(inner);
  if (!found) return { kind: 'invalid', reason: 'icmp error for an unknown connection' };
  const ctDst = found.entry.tuple[found.direction].dst;
  if (!addressEqual(pkt.dst, ctDst)) return { kind: 'invalid', reason: 'outer daddr != inner' };
  return { kind: 'related', entry: found.entry, direction: found.direction };
}

/** nf_conntrack_icmpv4_error / nf_conntrack_icmpv6_error. */
export function icmpError(
  pkt: CtPacket,
  hook: Hook,
  settings: ConntrackSettings,
  find: TupleFinder,
): IcmpErrorOutcome {
  const icmp = pkt.icmp;
  if (!icmp || pkt.unparsable) return { kind: 'invalid', reason: 'short packet' };
  if (settings.checksum && hook === 'prerouting' && pkt.badChecksum)
    return { kind: 'invalid', reason: 'bad checksum' };
  if (pkt.protocol === IPPROTO_ICMP) {
    if (icmp.type > NR_ICMP_TYPES) return { kind: 'invalid', reason: 'invalid icmp type' };
    if (!icmpIsError(icmp.type)) return { kind: 'not-error' };
    return inetError(pkt, find);
  }
  if (pkt.protocol !== IPPROTO_ICMPV6) return { kind: 'not-error' };
  if (ICMPV6_UNTRACKED.has(icmp.type)) return { kind: 'untracked' };
  if (icmp.type === NDISC_REDIRECT) {
    // nf_conntrack_icmpv6_redirect; its hop-limit and link-local source checks are not modelled.
    if (icmp.code !== 0) return { kind: 'not-error' };
    return inetError(pkt, find);
  }
  if (icmp.type >= 128) return { kind: 'not-error' };
  return inetError(pkt, find);
}
