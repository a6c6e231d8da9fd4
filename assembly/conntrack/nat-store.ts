// Where a NATed connection's reply tuple and its by-source links live (ConnEntry.tuple.reply
// when it is not the inverse of the original; the bysource hlist node of struct nf_conn_nat),
// and the links of the expiry index (expiry.ts).
//
// IPv4-compact: an IPv4 entry only uses word 0 of E_SRC / E_DST, so the record's spare words
// hold them — reply src at E_SRC + 4, reply dst at E_SRC + 8, reply sport / dport (u16) at
// E_SRC + 12 / + 14, the by-source next link at E_DST + 4, the expiry links at E_DST + 8 /
// + 12 — and E_NAT, which only IPv6 needs, holds the by-source previous link: 0 extra bytes
// per entry.
// IPv6: E_NAT points to a 52-byte side record (reply src[4], dst[4], sport, dport, by-source
// next link, expiry links, by-source previous link) from a pool that grows in chunks the first
// time an IPv6 connection is confirmed or NATed; freed with the entry.
// The reply's protocol, ICMP type and code are always those of the inverted original.

import { alloc } from '../memory';
import { CT_NONE, E_DPORT, E_DST, E_FLAGS, E_NAT, E_SPORT, E_SRC, EF_IPV6, EF_NAT_REPLY } from './layout';
import { entryOriginal, invertTuple, T_DPORT, T_DST, T_SPORT, T_SRC, TUPLE_BYTES } from './tuple';

const SIDE_BYTES: usize = 52;
const SIDE_CHUNK: usize = 4096;
const S_SRC: usize = 0;
const S_DST: usize = 16;
const S_SPORT: usize = 32;
const S_DPORT: usize = 34;
const S_LINK: usize = 36;
const S_EXPIRY: usize = 40;
const S_PREV: usize = 48;
const E_EXPIRY: usize = E_DST + 8;

let sideFree: usize = 0;
const scratch: usize = memory.data(<i32>TUPLE_BYTES, 16);

/** Bytes of IPv6 side records allocated so far (for memory reports). */
export let sideBytes: usize = 0;

export function natStoreReset(): void {
  sideFree = 0;
  sideBytes = 0;
}

function isV6(e: usize): bool {
  return (load<u8>(e, E_FLAGS) & EF_IPV6) !== 0;
}

/** The entry's IPv6 side record, taken from the pool on first use. */
function side(e: usize): usize {
  let s = <usize>load<u32>(e, E_NAT);
  if (<u32>s !== CT_NONE) return s;
  if (sideFree === 0) {
    const chunk = alloc(SIDE_BYTES * SIDE_CHUNK);
    sideBytes += SIDE_BYTES * SIDE_CHUNK;
    for (let i: usize = 0; i < SIDE_CHUNK; i++) {
      const r = chunk + i * SIDE_BYTES;
      store<u32>(r, i + 1 < SIDE_CHUNK ? <u32>(r + SIDE_BYTES) : 0);
    }
    sideFree = chunk;
  }
  s = sideFree;
  sideFree = <usize>load<u32>(s);
  memory.fill(s, 0, SIDE_BYTES);
  store<u32>(s, CT_NONE, S_LINK);
  store<u32>(s, CT_NONE, S_EXPIRY);
  store<u32>(s, CT_NONE, S_PREV);
  store<u32>(e, <u32>s, E_NAT);
  return s;
}

/** Gives an entry's side record back to the pool (when its slot is freed). */
export function natStoreFree(e: usize): void {
  if (!isV6(e)) return;
  const s = <usize>load<u32>(e, E_NAT);
  if (<u32>s === CT_NONE) return;
  store<u32>(s, <u32>sideFree);
  sideFree = s;
  store<u32>(e, CT_NONE, E_NAT);
}

/** ConnEntry.tuple.reply into `t`: the stored one, or the inverted original. */
export function entryReply(e: usize, t: usize): void {
  entryOriginal(e, scratch);
  invertTuple(scratch, t);
  if ((load<u8>(e, E_FLAGS) & EF_NAT_REPLY) === 0) return;
  if (isV6(e)) {
    const s = side(e);
    memory.copy(t + T_SRC, s + S_SRC, 16);
    memory.copy(t + T_DST, s + S_DST, 16);
    store<u32>(t, load<u16>(s, S_SPORT), T_SPORT);
    store<u32>(t, load<u16>(s, S_DPORT), T_DPORT);
  } else {
    store<u32>(t, load<u32>(e, E_SRC + 4), T_SRC);
    store<u32>(t, load<u32>(e, E_SRC + 8), T_DST);
    store<u32>(t, load<u16>(e, E_SRC + 12), T_SPORT);
    store<u32>(t, load<u16>(e, E_SRC + 14), T_DPORT);
  }
}

/** replyIpv4's answer: the reply tuple's addresses and ports. */
export let replySrc4: u32 = 0;
export let replyDst4: u32 = 0;
export let replySport4: u32 = 0;
export let replyDport4: u32 = 0;

/**
 * entryReply for an IPv4 entry whose protocol has ports, read in place into replySrc4 ..
 * replyDport4 (the packet path's per-packet NAT, which need not write a tuple out).
 */
export function replyIpv4(e: usize): void {
  if ((load<u8>(e, E_FLAGS) & EF_NAT_REPLY) !== 0) {
    replySrc4 = load<u32>(e, E_SRC + 4);
    replyDst4 = load<u32>(e, E_SRC + 8);
    replySport4 = <u32>load<u16>(e, E_SRC + 12);
    replyDport4 = <u32>load<u16>(e, E_SRC + 14);
  } else {
    replySrc4 = load<u32>(e, E_DST);
    replyDst4 = load<u32>(e, E_SRC);
    replySport4 = <u32>load<u16>(e, E_DPORT);
    replyDport4 = <u32>load<u16>(e, E_SPORT);
  }
}

/** entry.tuple.reply = t (nf_conntrack_alter_reply); t is the inverse of the new original. */
export function setEntryReply(e: usize, t: usize): void {
  store<u8>(e, load<u8>(e, E_FLAGS) | EF_NAT_REPLY, E_FLAGS);
  if (isV6(e)) {
    const s = side(e);
    memory.copy(s + S_SRC, t + T_SRC, 16);
    memory.copy(s + S_DST, t + T_DST, 16);
    store<u16>(s, <u16>load<u32>(t, T_SPORT), S_SPORT);
    store<u16>(s, <u16>load<u32>(t, T_DPORT), S_DPORT);
  } else {
    store<u32>(e, load<u32>(t, T_SRC), E_SRC + 4);
    store<u32>(e, load<u32>(t, T_DST), E_SRC + 8);
    store<u16>(e, <u16>load<u32>(t, T_SPORT), E_SRC + 12);
    store<u16>(e, <u16>load<u32>(t, T_DPORT), E_SRC + 14);
  }
}

/** Address of the entry's by-source chain link (u32 entry index or CT_NONE). */
export function bySourceLink(e: usize): usize {
  return isV6(e) ? side(e) + S_LINK : e + E_DST + 4;
}

/** Address of the entry's by-source backward link (the previous entry's index; CT_NONE: first). */
export function bySourcePrev(e: usize): usize {
  return isV6(e) ? side(e) + S_PREV : e + E_NAT;
}

/** Address of the entry's expiry links: previous (CT_NONE: not filed), next. */
export function expiryLinks(e: usize): usize {
  return isV6(e) ? side(e) + S_EXPIRY : e + E_EXPIRY;
}

/** Marks a new entry's expiry links as not filed (IPv4: the side record starts that way). */
export function expiryUnfiled(e: usize): void {
  if (!isV6(e)) store<u32>(e + E_EXPIRY, CT_NONE);
}
