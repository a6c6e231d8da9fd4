// IPv4 fragmentation on the way out, as src/engine/reference/fragment-output.ts models the
// kernel's (__ip_finish_output → ip_fragment → ip_do_fragment, net/ipv4/ip_output.c): a datagram
// longer than the device's MTU, or one defrag reassembled (IPCB(skb)->frag_max_size), leaves in
// fragments no larger than the largest one it came in. The frag_list fast path keeps the
// original fragments' sizes when each fits and all but the last are multiples of 8; the slow
// path cuts MTU-sized pieces. Every fragment is written to the emitted area (generated.ts).
// Only header-less (IHL 5) datagrams reach here, so ip_options_fragment has nothing to do.

import { internetChecksum } from '../checksum';
import { be16 } from '../memory';
import { PORT_FLOOD } from './bridge-fdb';
import { emit } from './generated';

export const OUT_WHOLE: u32 = 0;
export const OUT_FRAGMENTED: u32 = 1;
/** ip_fragment refuses (DF): the caller sends fragmentation needed and drops the datagram. */
export const OUT_FRAG_NEEDED: u32 = 2;
/** The emitted area is full. */
export const OUT_NO_ROOM: u32 = 3;
/** Fragments flooded to several bridge ports: the reference emits them port by port; not done here. */
export const OUT_FLOODED: u32 = 4;

const HEADER: u32 = 20;
const IP_DF: u32 = 0x4000;
const IP_MF: u32 = 0x2000;
const IP_OFFSET: u32 = 0x1fff;

// What the skb carries about fragmentation (the reference's OutputFragInfo), for the packet in
// flight: set when defrag completes its datagram, cleared for every new journey.
let maxSize: u32 = 0;
let pmtu: bool = false;
let ignoreDf: bool = false;
let pieces: usize = 0;
let pieceCount: u32 = 0;

const fragment: usize = memory.data(65536, 16);

/** A whole datagram: nothing to remember. */
export function clearFragInfo(): void {
  maxSize = 0;
  pmtu = false;
  ignoreDf = false;
  pieceCount = 0;
}

/**
 * The datagram in flight was reassembled: the largest fragment, whether its DF came from them,
 * skb->ignore_df (conntrack's defrag), and its pieces' data lengths (`count` u32 at `at`).
 */
export function setFragInfo(largest: u32, fromFragments: bool, ignore: bool, at: usize, count: u32): void {
  maxSize = largest;
  pmtu = fromFragments;
  ignoreDf = ignore;
  pieces = at;
  pieceCount = count;
}

/** IPCB(skb)->frag_max_size (0: not reassembled here). */
export function fragMaxSizeInFlight(): u32 {
  return maxSize;
}

/** ip_exceeds_mtu (ip_forward): DF and too long for `mtu`, unless reassembled here from fragments that fit. */
export function exceedsMtu(ip: usize, len: u32, mtu: u32): bool {
  if (len <= mtu) return false;
  if ((be16(ip + 6) & IP_DF) === 0) return false;
  if (maxSize > mtu) return true;
  return !ignoreDf;
}

function piece(i: u32): u32 {
  return load<u32>(pieces + ((<usize>i) << 2));
}

/**
 * __ip_finish_output for the datagram at `ip` (`len` bytes) leaving by a device of `mtu`:
 * OUT_WHOLE (the caller sends it), or its fragments emitted for `frame` (oif, next hop, cause,
 * decision, bridge port as emit() takes them), or why not.
 */
export function finishOutput(
  ip: usize,
  len: u32,
  mtu: u32,
  frame: u32,
  oif: u32,
  nextHop: u32,
  cause: u32,
  decision: u32,
  port: u32,
): u32 {
  if (len <= mtu && maxSize === 0) return OUT_WHOLE;
  // ip_fragment: DF refuses unless reassembled here (ignore_df) from fragments that each fit.
  const field = be16(ip + 6);
  if ((field & IP_DF) !== 0 && (!ignoreDf || (maxSize !== 0 && maxSize > mtu))) return OUT_FRAG_NEEDED;
  const limit = maxSize !== 0 && maxSize < mtu ? maxSize : mtu;
  const space = limit - HEADER;
  // The head holds whatever is not in the frag_list (a NAT change of length lands there).
  let fast = pieceCount > 1 && (field & (IP_MF | IP_OFFSET)) === 0;
  let first: i32 = <i32>len - <i32>HEADER;
  if (fast) {
    for (let i: u32 = 1; i < pieceCount; i++) {
      const p = piece(i);
      first -= <i32>p;
      if (p > space || ((p & 7) !== 0 && i < pieceCount - 1)) fast = false;
    }
    if (first <= 0 || <u32>first > space || (first & 7) !== 0) fast = false;
  }
  const count = fast ? pieceCount : slowCount(len - HEADER, space);
  if (count > 1 && port === PORT_FLOOD) return OUT_FLOODED;
  if (fast) {
    // ip_fraglist_init / ip_fraglist_prepare: one fragment per piece, MF on all but the last, DF cleared.
    let offset: u32 = 0;
    for (let i: u32 = 0; i < pieceCount; i++) {
      const n = i === 0 ? <u32>first : piece(i);
      const flags = (offset >> 3) | (i < pieceCount - 1 ? IP_MF : 0);
      if (!out(ip, offset, n, flags, frame, oif, nextHop, cause, decision, port)) return OUT_NO_ROOM;
      offset += n;
    }
    return OUT_FRAGMENTED;
  }
  // ip_frag_init / ip_frag_next: MTU-sized pieces (multiples of 8 but the last), from the
  // datagram's own offset (a fragment passing through), MF kept on all when it had it.
  let offset = (field & IP_OFFSET) << 3;
  const notLast = (field & IP_MF) !== 0;
  let at: u32 = 0;
  let left = len - HEADER;
  while (left > 0) {
    let n = left < space ? left : space;
    if (n < left) n &= ~7;
    left -= n;
    const flags = (offset >> 3) | (pmtu ? IP_DF : 0) | (left > 0 || notLast ? IP_MF : 0);
    if (!out(ip, at, n, flags, frame, oif, nextHop, cause, decision, port)) return OUT_NO_ROOM;
    at += n;
    offset += n;
  }
  return OUT_FRAGMENTED;
}

function slowCount(data: u32, space: u32): u32 {
  const step = space & ~7;
  if (data <= space || step === 0) return 1;
  return (data + step - 1) / step;
}

/** One fragment: the datagram's header with its length, fragment field and checksum, and `n` bytes of data from `at`. */
function out(
  ip: usize,
  at: u32,
  n: u32,
  flags: u32,
  frame: u32,
  oif: u32,
  nextHop: u32,
  cause: u32,
  decision: u32,
  port: u32,
): bool {
  memory.copy(fragment, ip, HEADER);
  memory.copy(fragment + HEADER, ip + HEADER + at, n);
  store<u16>(fragment + 2, bswap<u16>(<u16>(HEADER + n)));
  store<u16>(fragment + 6, bswap<u16>(<u16>flags));
  store<u16>(fragment + 10, 0);
  store<u16>(fragment + 10, bswap<u16>(<u16>internetChecksum(fragment, <i32>HEADER)));
  return emit(frame, oif, nextHop, fragment, HEADER + n, cause, decision, port);
}
