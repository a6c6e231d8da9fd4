// NAT bindings on connections (natSetupInfo, natNullBinding, natPacket in
// src/engine/conntrack/nat.ts; nf_nat_setup_info, nf_nat_alloc_null_binding, nf_nat_packet in
// nf_nat_core.c): set up once per manip type before confirmation, then a rewrite description
// (layout.ts W_*) per packet for the packet rewriter. Nothing allocates.

import { addBySource } from './bysource';
import {
  E_DPORT,
  E_DST,
  E_SPORT,
  E_SRC,
  E_STATUS,
  HOOK_INPUT,
  HOOK_POSTROUTING,
  IPS_DST_NAT,
  IPS_DST_NAT_DONE,
  IPS_NAT_MASK,
  IPS_SRC_NAT,
  IPS_SRC_NAT_DONE,
  MANIP_DST,
  MANIP_SRC,
  NF_NAT_RANGE_MAP_IPS,
  R_FLAGS,
  R_MAX_ADDR,
  R_MIN_ADDR,
  RANGE_BYTES,
  RW_ICMP_ID,
  RW_NONE,
  RW_PORT,
  W_ADDR,
  W_KIND,
  W_MANIP,
  W_PRESENT,
  W_VALUE,
} from './layout';
import {
  entryReply,
  replyDport4,
  replyDst4,
  replyIpv4,
  replySport4,
  replySrc4,
  setEntryReply,
} from './nat-store';
import { getUniqueTuple, natUsedTuple } from './nat-tuple';
import { confirmed, entryAt, setStatus, statusOf } from './table';
import {
  entryOriginal,
  hasPorts,
  invertTuple,
  T_DPORT,
  T_DST,
  T_PROTO,
  T_SPORT,
  T_SRC,
  T_TYPE,
  TUPLE_BYTES,
  tupleEqual,
} from './tuple';

const curr: usize = memory.data(<i32>TUPLE_BYTES, 16);
const next: usize = memory.data(<i32>TUPLE_BYTES, 16);
const tmp: usize = memory.data(<i32>TUPLE_BYTES, 16);
const nullRange: usize = memory.data(<i32>RANGE_BYTES, 16);

export const NAT_ACCEPT: u32 = 1;
export const NAT_DROP: u32 = 2;

/** hookManip (HOOK2MANIP): POSTROUTING and INPUT rewrite the source, the others the destination. */
export function hookManip(hook: u32): u32 {
  return hook === HOOK_POSTROUTING || hook === HOOK_INPUT ? MANIP_SRC : MANIP_DST;
}

/** natInitialized (nf_nat_initialized): has this manip type been set up? */
export function natInitialized(e: usize, manip: u32): bool {
  return (statusOf(e) & (manip === MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE)) !== 0;
}

/**
 * natSetupInfo (nf_nat_setup_info): choose entry `idx`'s tuple for this manip from the range
 * record at `range` and expect replies to it (nf_conntrack_alter_reply). Only before
 * confirmation.
 */
export function natSetupInfo(idx: u32, range: usize, manip: u32, now: i64): u32 {
  const e = entryAt(idx);
  if (confirmed(e)) return NAT_ACCEPT;
  if (natInitialized(e, manip)) return NAT_DROP; // WARN_ON in the kernel
  entryReply(e, tmp);
  invertTuple(tmp, curr);
  getUniqueTuple(idx, curr, range, manip, next, now);
  if (!tupleEqual(next, curr)) {
    invertTuple(next, tmp);
    setEntryReply(e, tmp);
    setStatus(e, manip === MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT);
  }
  if (manip === MANIP_SRC) addBySource(idx);
  setStatus(e, manip === MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE);
  return NAT_ACCEPT;
}

/**
 * natNullBinding (nf_nat_alloc_null_binding): map to the address the connection already has,
 * the port moving only if the tuple is taken.
 */
export function natNullBinding(idx: u32, manip: u32, now: i64): u32 {
  entryReply(entryAt(idx), tmp);
  memory.fill(nullRange, 0, RANGE_BYTES);
  store<u32>(nullRange, NF_NAT_RANGE_MAP_IPS, R_FLAGS);
  const ip = tmp + (manip === MANIP_SRC ? T_DST : T_SRC);
  memory.copy(nullRange + R_MIN_ADDR, ip, 16);
  memory.copy(nullRange + R_MAX_ADDR, ip, 16);
  return natSetupInfo(idx, nullRange, manip, now);
}

/**
 * The question a null binding of entry `idx` (unconfirmed, no binding yet) asks first, with its
 * lookups and their side effects (find deletes an expired entry it meets): is its tuple free, no
 * other connection holding its reply tuple (nf_nat_used_tuple)? The null range holds the
 * tuple's own address, so a SRC null binding of a free tuple, and any DST null binding of a TCP
 * or UDP connection (DNAT without ports cannot move the port), change nothing but what
 * nullBound() does.
 */
export function nullBindingTupleFree(idx: u32, now: i64): bool {
  entryReply(entryAt(idx), tmp);
  invertTuple(tmp, curr);
  return !natUsedTuple(curr, idx, now);
}

/** natNullBinding(idx, manip) once nullBindingTupleFree() has shown that it keeps the tuple. */
export function nullBound(idx: u32, manip: u32): void {
  if (manip === MANIP_SRC) addBySource(idx);
  setStatus(entryAt(idx), manip === MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE);
}

/** icmp_manip_pkt / icmpv6_manip_pkt: the types whose id is rewritten. */
/** ICMP/ICMPv6 types whose id NAT rewrites (queries and their replies). */
export function icmpIdType(protocol: u32, type: u32): bool {
  if (protocol === 1) return type === 0 || (type >= 13 && type <= 18) || type === 8;
  if (protocol === 58) return type === 128 || type === 129;
  return false;
}

/**
 * Whether a packet of entry `e` in direction `dir` is rewritten on side `manip` (nf_nat_packet's
 * statusbit: NAT of that side, the reply direction's the other way round).
 */
function rewritten(e: usize, dir: u32, manip: u32): bool {
  let bit = manip === MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
  if (dir === 1) bit ^= IPS_NAT_MASK;
  return (<u32>load<u16>(e, E_STATUS) & bit) !== 0;
}

/**
 * natPacket (nf_nat_packet): the rewrite of a packet of entry `idx` in direction `dir` at
 * `hook` into the rewrite record at `out` (W_PRESENT 0: none). The packet is made to look like
 * the inverse of the other direction's tuple. `icmpType` is the packet's ICMP type, or -1.
 */
export function natPacket(idx: u32, dir: u32, hook: u32, icmpType: i32, out: usize): void {
  // Every word is written when there is a rewrite; without one, readers stop at W_PRESENT.
  const e = entryAt(idx);
  const manip = hookManip(hook);
  if (!rewritten(e, dir, manip)) {
    store<u32>(out, 0, W_PRESENT);
    return;
  }
  if (dir === 1) entryOriginal(e, tmp);
  else entryReply(e, tmp);
  invertTuple(tmp, next);
  // manipFor (nf_nat_ipv4_manip_pkt with l4proto_manip_pkt).
  store<u32>(out, 1, W_PRESENT);
  store<u32>(out, manip, W_MANIP);
  memory.copy(out + W_ADDR, next + (manip === MANIP_SRC ? T_SRC : T_DST), 16);
  const proto = load<u32>(next, T_PROTO);
  const type: u32 = icmpType >= 0 ? <u32>icmpType : load<u32>(next, T_TYPE);
  let kind = RW_NONE;
  let value: u32 = 0;
  if (hasPorts(proto)) {
    kind = RW_PORT;
    value = load<u32>(next + (manip === MANIP_SRC ? T_SPORT : T_DPORT));
  } else if (icmpIdType(proto, type)) {
    kind = RW_ICMP_ID;
    value = load<u32>(next, T_SPORT);
  }
  store<u32>(out, kind, W_KIND);
  store<u32>(out, value, W_VALUE);
}

/** natPortsIpv4's rewrite: the address and port the packet's side takes. */
export let natToAddr: u32 = 0;
export let natToPort: u32 = 0;

/**
 * natPacket for a packet of IPv4 TCP or UDP entry `idx`, read straight from the entry for the
 * flow cache's replays: false when there is nothing to rewrite at `hook`, else true with the
 * side's new address and port in natToAddr / natToPort (natPacket's W_ADDR and W_VALUE).
 */
export function natPortsIpv4(idx: u32, dir: u32, hook: u32): bool {
  const e = entryAt(idx);
  const manip = hookManip(hook);
  if (!rewritten(e, dir, manip)) return false;
  // The other direction's tuple (src, dst, sport, dport), whose inverse the packet is made to be.
  let src: u32;
  let dst: u32;
  let sport: u32;
  let dport: u32;
  if (dir === 1) {
    src = load<u32>(e, E_SRC);
    dst = load<u32>(e, E_DST);
    sport = <u32>load<u16>(e, E_SPORT);
    dport = <u32>load<u16>(e, E_DPORT);
  } else {
    replyIpv4(e);
    src = replySrc4;
    dst = replyDst4;
    sport = replySport4;
    dport = replyDport4;
  }
  natToAddr = manip === MANIP_SRC ? dst : src;
  natToPort = manip === MANIP_SRC ? dport : sport;
  return true;
}
