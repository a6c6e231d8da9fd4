// nf_conntrack_in and nf_conntrack_confirm for one packet (conntrackIn / confirm,
// src/engine/conntrack/core.ts): the tuple lookup (resolve_normal_ct), init_conntrack for a new
// flow, the protocol tracker's verdict (nf_conntrack_handle_packet), and confirmation.

import { genericPacket } from './generic';
import { icmpIsError, icmpPacket, icmpv6Untracked } from './icmp';
import { inetError } from './icmp-error';
import {
  CT_NONE,
  E_PROTO,
  IP_CT_ESTABLISHED,
  IP_CT_ESTABLISHED_REPLY,
  IP_CT_NEW,
  IP_CT_RELATED,
  IP_CT_RELATED_REPLY,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
  IPS_EXPECTED,
  IPS_SEEN_REPLY,
  K_DROP,
  K_INVALID,
  K_TRACKED,
  K_UNTRACKED,
  P_FLAGS,
  P_ICMP_CODE,
  P_ICMP_TYPE,
  P_PROTO,
  P_ZONE,
  PF_BAD_CHECKSUM,
  PF_ICMP,
  PF_IPV6,
  PF_PREROUTING,
  PF_TCP,
  PF_UNPARSABLE,
  ST_CHECKSUM,
} from './layout';
import { setting } from './settings';
import {
  allocEntry,
  bump,
  confirmed,
  deleteEntry,
  entryAt,
  find,
  foundNode,
  recordsRanOut,
  release,
  ST_FOUND,
  ST_INVALID,
  setStatus,
  statusOf,
} from './table';
import { tcpPacket } from './tcp';
import { invertTuple, packetTuple, setEntryOriginal, TUPLE_BYTES } from './tuple';
import { udpPacket } from './udp';
import { L4_ACCEPT_KILL, L4_INVALID, L4_REPEAT } from './verdict';

const pktTuple: usize = memory.data(<i32>TUPLE_BYTES, 16);
const replyTuple: usize = memory.data(<i32>TUPLE_BYTES, 16);

// The result of the last conntrackIn (TrackResult).
export let resultKind: u32 = K_INVALID;
export let resultCtinfo: u32 = 0;
export let resultDir: u32 = 0;
export let resultEntry: u32 = CT_NONE;

function tracked(idx: u32, ctinfo: u32, dir: u32): u32 {
  resultKind = K_TRACKED;
  resultEntry = idx;
  resultCtinfo = ctinfo;
  resultDir = dir;
  return K_TRACKED;
}

function outcome(kind: u32): u32 {
  resultKind = kind;
  resultEntry = CT_NONE;
  resultCtinfo = 0;
  resultDir = 0;
  return kind;
}

/** invalidResult. */
function invalid(): u32 {
  bump(ST_INVALID);
  return outcome(K_INVALID);
}

/** handlePacket (nf_conntrack_handle_packet). */
function handlePacket(e: usize, dir: u32, pkt: usize, now: i64): u32 {
  const flags = load<u32>(pkt, P_FLAGS);
  const proto = <u32>load<u8>(e, E_PROTO);
  if (proto === IPPROTO_TCP) {
    if ((flags & PF_TCP) === 0) return L4_INVALID;
    return tcpPacket(e, dir, pkt, now);
  }
  if (proto === IPPROTO_UDP || proto === IPPROTO_UDPLITE) return udpPacket(e, pkt, now);
  if (proto === IPPROTO_ICMP) {
    if ((flags & PF_IPV6) !== 0) return L4_INVALID;
    return icmpPacket(e, now);
  }
  if (proto === IPPROTO_ICMPV6) {
    if ((flags & PF_IPV6) === 0) return L4_INVALID;
    return icmpPacket(e, now);
  }
  return genericPacket(e, now);
}

// icmpErrorPath's answer for an error message: look up the quoted packet's connection.
const K_ERROR: u32 = 5;

/**
 * The ICMP error path of conntrackIn (icmpError): K_ERROR for the error messages,
 * K_UNTRACKED for ICMPv6 ND/MLD, K_INVALID, or K_TRACKED to track the packet normally.
 */
function icmpErrorPath(pkt: usize): u32 {
  const flags = load<u32>(pkt, P_FLAGS);
  const proto = load<u32>(pkt, P_PROTO);
  if ((flags & PF_ICMP) === 0 || (flags & PF_UNPARSABLE) !== 0) return K_INVALID;
  if (setting(ST_CHECKSUM) !== 0 && (flags & PF_PREROUTING) !== 0 && (flags & PF_BAD_CHECKSUM) !== 0)
    return K_INVALID;
  const type = <u32>load<u8>(pkt, P_ICMP_TYPE);
  if (proto === IPPROTO_ICMP) {
    if (type > 18) return K_INVALID;
    return icmpIsError(type) ? K_ERROR : K_TRACKED;
  }
  if (icmpv6Untracked(type)) return K_UNTRACKED;
  // nf_conntrack_icmpv6_redirect (its hop-limit and link-local checks are not modelled).
  if (type === 137) return <u32>load<u8>(pkt, P_ICMP_CODE) !== 0 ? K_TRACKED : K_ERROR;
  return type >= 128 ? K_TRACKED : K_ERROR;
}

/**
 * The node (index << 1 | direction) find would return for the next conntrackIn's packet, when
 * the caller knows it (the packet path's flow cache: a confirmed, unexpired connection recorded
 * for exactly this tuple); CT_NONE to look it up. Cleared by conntrackIn.
 */
let lookupHint: u32 = CT_NONE;

export function setLookupHint(node: u32): void {
  lookupHint = node;
}

/** conntrackIn (nf_conntrack_in) for the packet record at `pkt`; returns the result kind. */
export function conntrackIn(pkt: usize, now: i64): u32 {
  const hint = lookupHint;
  lookupHint = CT_NONE;
  return conntrackInFrom(pkt, now, hint);
}

function conntrackInFrom(pkt: usize, now: i64, hint: u32): u32 {
  const flags = load<u32>(pkt, P_FLAGS);
  const zone = load<u32>(pkt, P_ZONE);
  if ((flags & PF_UNPARSABLE) !== 0) return invalid();
  const proto = load<u32>(pkt, P_PROTO);
  if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
    const err = icmpErrorPath(pkt);
    if (err === K_INVALID) return invalid();
    if (err === K_UNTRACKED) return outcome(err);
    if (err === K_ERROR) {
      const node = inetError(pkt, now);
      if (node < 0) return invalid();
      const dir = <u32>node & 1;
      return tracked(<u32>node >> 1, dir === 1 ? IP_CT_RELATED_REPLY : IP_CT_RELATED, dir);
    }
  }

  for (let round = 0; round < 2; round++) {
    // The first round may start from the node the caller knows find would return.
    const hinted = round === 0 && hint !== CT_NONE;
    if (!hinted && !packetTuple(pkt, pktTuple)) return invalid();
    let idx: u32;
    let dir: u32;
    let ctinfo: u32;
    if (hinted || find(pktTuple, zone, now)) {
      const node = hinted ? hint : foundNode;
      idx = node >> 1;
      dir = node & 1;
      bump(ST_FOUND);
      const status = statusOf(entryAt(idx));
      if (dir === 1) ctinfo = IP_CT_ESTABLISHED_REPLY;
      else if ((status & IPS_SEEN_REPLY) !== 0) ctinfo = IP_CT_ESTABLISHED;
      else if ((status & IPS_EXPECTED) !== 0) ctinfo = IP_CT_RELATED;
      else ctinfo = IP_CT_NEW;
    } else {
      // init_conntrack
      if (!invertTuple(pktTuple, replyTuple)) return invalid();
      idx = allocEntry(pktTuple, zone, now);
      if (idx === CT_NONE) return dropped(recordsRanOut ? DROP_NO_RECORD : DROP_TABLE_FULL);
      setEntryOriginal(entryAt(idx), pktTuple);
      dir = 0;
      ctinfo = IP_CT_NEW;
    }
    const e = entryAt(idx);
    const verdict = handlePacket(e, dir, pkt, now);
    if (verdict === L4_INVALID) {
      if (!confirmed(e)) release(idx);
      return invalid();
    }
    if (verdict === L4_REPEAT) {
      if (!deleteEntry(idx)) return dropped(DROP_DYING);
      continue;
    }
    if (verdict === L4_ACCEPT_KILL) deleteEntry(idx);
    if (ctinfo === IP_CT_ESTABLISHED_REPLY) setStatus(e, IPS_SEEN_REPLY);
    return tracked(idx, ctinfo, dir);
  }
  return dropped(DROP_REOPEN);
}

// Why conntrack itself dropped the packet (K_DROP), the reference engine's reasons
// (src/engine/conntrack/core.ts).
/** init_conntrack found no room: "nf_conntrack: table full, dropping packet". */
export const DROP_TABLE_FULL: u32 = 1;
/** A reopening SYN met its old connection already being destroyed. */
export const DROP_DYING: u32 = 2;
/** The old connection of a reopening SYN could not be replaced. */
export const DROP_REOPEN: u32 = 3;
/**
 * No connection record free below nf_conntrack_max (table.ts recordsRanOut): not a kernel drop,
 * the packet path gives the packet up.
 */
export const DROP_NO_RECORD: u32 = 4;
/** The reason of the last K_DROP. */
export let dropReason: u32 = 0;

function dropped(reason: u32): u32 {
  dropReason = reason;
  return outcome(K_DROP);
}
