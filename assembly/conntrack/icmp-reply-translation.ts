// ICMP errors RELATED to a NATed connection (natIcmpReplyTranslation of
// src/engine/conntrack/nat.ts; nf_nat_icmp_reply_translation / nf_nat_icmpv6_reply_translation
// in nf_nat_proto.c): the connection's NAT is undone inside the quoted header (the inverse
// manip, towards the other direction's tuple) and the outer header is rewritten like any reply
// (addresses only). Both rewrites are records as natPacket writes them (layout.ts W_*); the
// packet rewriter recomputes the ICMP checksum over the whole message afterwards. Nothing
// allocates.

import {
  E_FLAGS,
  EF_IPV6,
  IP_CT_RELATED_REPLY,
  IPS_DST_NAT,
  IPS_NAT_DONE_MASK,
  IPS_NAT_MASK,
  IPS_SRC_NAT,
  MANIP_DST,
  MANIP_SRC,
  REWRITE_BYTES,
  RW_ICMP_ID,
  RW_NONE,
  RW_PORT,
  W_ADDR,
  W_KIND,
  W_MANIP,
  W_PRESENT,
  W_VALUE,
} from './layout';
import { hookManip, icmpIdType, NAT_ACCEPT, NAT_DROP } from './nat';
import { entryReply } from './nat-store';
import { entryAt, statusOf } from './table';
import {
  entryOriginal,
  hasPorts,
  T_DPORT,
  T_DST,
  T_PROTO,
  T_SPORT,
  T_SRC,
  T_TYPE,
  TUPLE_BYTES,
} from './tuple';

const other: usize = memory.data(<i32>TUPLE_BYTES, 16);

const ICMP_REDIRECT: u32 = 5;
const NDISC_REDIRECT: u32 = 137;

/**
 * natIcmpReplyTranslation (nf_nat_icmp_reply_translation): for an ICMP error of type `icmpType`
 * RELATED to entry `idx` (`ctinfo` IP_CT_RELATED or IP_CT_RELATED_REPLY) at NAT hook `hook`,
 * writes the quoted header's rewrite at `inner` and the outer header's at `outer` (REWRITE_BYTES
 * each, W_PRESENT 0 for none: the connection has no NAT to undo here, or the error is dropped);
 * returns NAT_ACCEPT, or NAT_DROP for a redirect about a connection that is NATed or whose NAT
 * is not set up yet.
 */
export function natIcmpReplyTranslation(
  idx: u32,
  ctinfo: u32,
  hook: u32,
  icmpType: u32,
  inner: usize,
  outer: usize,
): u32 {
  memory.fill(inner, 0, REWRITE_BYTES);
  memory.fill(outer, 0, REWRITE_BYTES);
  const e = entryAt(idx);
  const status = statusOf(e);
  const reply = ctinfo === IP_CT_RELATED_REPLY;
  const manip = hookManip(hook);
  const v6 = (load<u8>(e, E_FLAGS) & EF_IPV6) !== 0;
  if (icmpType === (v6 ? NDISC_REDIRECT : ICMP_REDIRECT)) {
    if ((status & IPS_NAT_DONE_MASK) !== IPS_NAT_DONE_MASK) return NAT_DROP;
    if ((status & IPS_NAT_MASK) !== 0) return NAT_DROP;
  }
  let bit = manip === MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
  if (reply) bit ^= IPS_NAT_MASK;
  if ((status & bit) === 0) return NAT_ACCEPT;
  // The other direction's tuple: the quoted packet is made to carry it (the inverse manip).
  if (reply) entryOriginal(e, other);
  else entryReply(e, other);
  const innerManip = manip === MANIP_SRC ? MANIP_DST : MANIP_SRC;
  store<u32>(inner, 1, W_PRESENT);
  store<u32>(inner, innerManip, W_MANIP);
  memory.copy(inner + W_ADDR, other + (innerManip === MANIP_SRC ? T_SRC : T_DST), 16);
  const proto = load<u32>(other, T_PROTO);
  let kind = RW_NONE;
  let value: u32 = 0;
  if (hasPorts(proto)) {
    kind = RW_PORT;
    value = load<u32>(other + (innerManip === MANIP_SRC ? T_SPORT : T_DPORT));
  } else if (icmpIdType(proto, load<u32>(other, T_TYPE))) {
    kind = RW_ICMP_ID;
    value = load<u32>(other, T_SPORT);
  }
  store<u32>(inner, kind, W_KIND);
  store<u32>(inner, value, W_VALUE);
  // The outer header looks like the inverse of the other direction's tuple: its source is the
  // tuple's destination and the other way round.
  store<u32>(outer, 1, W_PRESENT);
  store<u32>(outer, manip, W_MANIP);
  memory.copy(outer + W_ADDR, other + (manip === MANIP_SRC ? T_DST : T_SRC), 16);
  store<u32>(outer, RW_NONE, W_KIND);
  return NAT_ACCEPT;
}

// Host-facing call (exported by assembly/index.ts, as conntrack/api.ts's are).

/** natIcmpReplyTranslation into the rewrite records at `inner` and `outer`; NAT_ACCEPT or NAT_DROP. */
export function ctNatIcmpReply(
  idx: u32,
  ctinfo: u32,
  hook: u32,
  icmpType: u32,
  inner: usize,
  outer: usize,
): u32 {
  return natIcmpReplyTranslation(idx, ctinfo, hook, icmpType, inner, outer);
}
