// NAT bindings on connections (nf_nat_core.c, nf_nat_proto.c): set up once, on a connection's
// first packet, per manip type (nf_nat_setup_info, or nf_nat_alloc_null_binding when no rule
// matched), then applied to every packet in both directions (nf_nat_packet); ICMP errors get
// the quoted header translated back (nf_nat_icmp_reply_translation).
//
// Output is a description of the rewrite; the packet layer applies it and updates checksums.

import type { Hook } from '../../ir/ruleset.js';
import type { CtInfo } from './ct-info.js';
import type { ConnEntry } from './entry.js';
import { hookManip, type Manip, type NatRange2, NF_NAT_RANGE_MAP_IPS } from './nat-range.js';
import { getUniqueTuple, type TupleChoiceContext } from './nat-tuple.js';
import {
  IPS_DST_NAT,
  IPS_DST_NAT_DONE,
  IPS_NAT_DONE_MASK,
  IPS_NAT_MASK,
  IPS_SRC_NAT,
  IPS_SRC_NAT_DONE,
} from './status.js';
import {
  type Direction,
  hasPorts,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  mustInvert,
  otherDirection,
  type Tuple,
  tupleEqual,
} from './tuple.js';

export interface NatContext extends TupleChoiceContext {
  readonly hook: Hook;
}

/** nf_nat_initialized: has this manip type been set up (a rule or the null binding)? */
export function natInitialized(entry: ConnEntry, manip: Manip): boolean {
  return (entry.status & (manip === 'src' ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE)) !== 0;
}

export type NatVerdict = 'ACCEPT' | 'DROP';

/**
 * nf_nat_setup_info: choose the connection's tuple for this manip and make the conntrack
 * table expect replies to it (nf_conntrack_alter_reply). Only before confirmation; a
 * confirmed connection is left alone.
 */
export function natSetupInfo(ctx: NatContext, entry: ConnEntry, range: NatRange2, manip: Manip): NatVerdict {
  if (entry.confirmed) return 'ACCEPT';
  if (natInitialized(entry, manip)) return 'DROP'; // WARN_ON in the kernel
  const curr = mustInvert(entry.tuple.reply);
  const next = getUniqueTuple(ctx, entry, curr, range, manip);
  if (!tupleEqual(next, curr)) {
    entry.tuple.reply = mustInvert(next);
    entry.status |= manip === 'src' ? IPS_SRC_NAT : IPS_DST_NAT;
  }
  if (manip === 'src') ctx.table.addBySource(entry);
  entry.status |= manip === 'src' ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE;
  entry.natHooks[manip] = ctx.hook;
  return 'ACCEPT';
}

/**
 * nf_nat_alloc_null_binding: no NAT rule matched at this hook. Map to the address the
 * connection already has, letting the port move only if the tuple is taken — which is how a
 * connection can get its source port changed without any SNAT rule.
 */
export function natNullBinding(ctx: NatContext, entry: ConnEntry, manip: Manip): NatVerdict {
  const ip = manip === 'src' ? entry.tuple.reply.dst : entry.tuple.reply.src;
  const range: NatRange2 = {
    flags: NF_NAT_RANGE_MAP_IPS,
    minAddr: ip,
    maxAddr: ip,
    minProto: 0,
    maxProto: 0,
    baseProto: 0,
  };
  return natSetupInfo(ctx, entry, range, manip);
}

/** One header rewrite: the packet's source or destination address and port / ICMP id. */
export interface Rewrite {
  readonly manip: Manip;
  /** New source address (src manip) or destination address (dst manip). */
  readonly address: readonly number[];
  /** New source port (src manip) or destination port (dst manip): TCP, UDP, UDP-Lite, SCTP. */
  readonly port?: number;
  /** New ICMP/ICMPv6 query identifier (either manip), for echo-like messages only. */
  readonly icmpId?: number;
}

// icmp_manip_pkt / icmpv6_manip_pkt rewrite the id only for query/reply types.
const ICMP_ID_TYPES = new Set([0, 8, 13, 14, 15, 16, 17, 18]);
const ICMPV6_ID_TYPES = new Set([128, 129]);

/**
 * nf_nat_ipv4_manip_pkt / nf_nat_ipv6_manip_pkt with l4proto_manip_pkt: what making a header
 * match `target` for `manip` writes. `icmpType` is the header's ICMP type, when it has one.
 */
function manipFor(target: Tuple, manip: Manip, icmpType: number | undefined): Rewrite {
  const address = manip === 'src' ? target.src : target.dst;
  if (hasPorts(target.protocol))
    return { manip, address, port: manip === 'src' ? target.sport : target.dport };
  if (target.protocol === IPPROTO_ICMP && icmpType !== undefined && ICMP_ID_TYPES.has(icmpType)) {
    return { manip, address, icmpId: target.sport };
  }
  if (target.protocol === IPPROTO_ICMPV6 && icmpType !== undefined && ICMPV6_ID_TYPES.has(icmpType)) {
    return { manip, address, icmpId: target.sport };
  }
  return { manip, address };
}

/** The status bit nf_nat_packet tests: the manip's, swapped for the reply direction. */
function natStatusBit(manip: Manip, dir: Direction): number {
  const bit = manip === 'src' ? IPS_SRC_NAT : IPS_DST_NAT;
  return dir === 'reply' ? bit ^ IPS_NAT_MASK : bit;
}

/**
 * nf_nat_packet: the rewrite of a packet of this connection at a NAT hook, or null. The
 * packet is made to look like the inverse of the other direction's tuple.
 */
export function natPacket(entry: ConnEntry, dir: Direction, hook: Hook, icmpType?: number): Rewrite | null {
  const manip = hookManip(hook);
  if (!(entry.status & natStatusBit(manip, dir))) return null;
  const target = mustInvert(entry.tuple[otherDirection(dir)]);
  return manipFor(target, manip, icmpType ?? target.icmpType);
}

/** Rewrites for an ICMP error RELATED to a NATed connection. */
export interface IcmpErrorRewrite {
  /** The quoted header: made to look like the packet the connection's peer sent. */
  readonly inner: Rewrite;
  /** The outer header (addresses only; the ICMP header carries no port). */
  readonly outer: Rewrite;
  /** The ICMP checksum is recomputed over the whole message afterwards. */
  readonly recomputeIcmpChecksum: true;
}

export type IcmpTranslation =
  | { readonly verdict: 'ACCEPT'; readonly rewrite: IcmpErrorRewrite | null }
  | { readonly verdict: 'DROP'; readonly reason: string };

/**
 * nf_nat_icmp_reply_translation / nf_nat_icmpv6_reply_translation: undo the connection's NAT
 * inside the quoted header (the inverse manip, towards the other direction's tuple) and
 * rewrite the outer header like any reply. Redirects for NATed connections are dropped.
 */
export function natIcmpReplyTranslation(
  entry: ConnEntry,
  ctinfo: CtInfo,
  hook: Hook,
  icmpType: number,
  family: 'ipv4' | 'ipv6',
): IcmpTranslation {
  const dir: Direction = ctinfo === 'RELATED_REPLY' ? 'reply' : 'original';
  const manip = hookManip(hook);
  const redirect = family === 'ipv4' ? icmpType === 5 : icmpType === 137;
  if (redirect) {
    if ((entry.status & IPS_NAT_DONE_MASK) !== IPS_NAT_DONE_MASK)
      return { verdict: 'DROP', reason: 'redirect before NAT setup' };
    if (entry.status & IPS_NAT_MASK) return { verdict: 'DROP', reason: 'redirect for a NATed connection' };
  }
  if (!(entry.status & natStatusBit(manip, dir))) return { verdict: 'ACCEPT', rewrite: null };
  const other = entry.tuple[otherDirection(dir)];
  const innerManip: Manip = manip === 'src' ? 'dst' : 'src';
  const inner = manipFor(other, innerManip, other.icmpType);
  const outerTarget = mustInvert(other);
  const outer: Rewrite = { manip, address: manip === 'src' ? outerTarget.src : outerTarget.dst };
  return { verdict: 'ACCEPT', rewrite: { inner, outer, recomputeIcmpChecksum: true } };
}
