// Questions the packet path asks about the host model — the input route of a datagram, the
// address an interface would use as source, an address's route type, the socket bound to a
// port — answered by the JavaScript host model through one imported function and remembered
// here. The host does not change during a run, so each distinct question crosses into
// JavaScript once; a collision only costs asking again.

import { fmix32, hashWord } from '../hash-mix';
import { alloc } from '../memory';
import { NO_CLASS, pairClass } from './address-class';
import { hostQueryImport } from './host-import';

/** ip_route_input_noref: a received datagram's route (dst, src, iif index). */
export const Q_ROUTE_IN: u32 = 1;
/** inet_select_addr on an interface towards an address (iface index, addr): MASQUERADE, REDIRECT. */
export const Q_SOURCE_ADDRESS: u32 = 2;
/** inet_dev_addr_type (addr, dev index or NO_DEV): the addrtype match. */
export const Q_ADDRESS_TYPE: u32 = 3;
/** The socket a local datagram goes to (protocol, dst, port). */
export const Q_SOCKET: u32 = 4;
/** ip_route_output for a packet the host sends (dst, src, 0): RT_LOCAL / RT_FORWARD / RT_ERROR, oif, next hop, prefsrc. */
export const Q_ROUTE_OUT: u32 = 5;
/** ip_route_me_harder after OUTPUT changed the destination or mark (dst, src, mark): as Q_ROUTE_OUT. */
export const Q_REROUTE_OUT: u32 = 6;
/** An interface (index): its MTU (1500 when unknown), 1 when it is a loopback device, its MTU as configured (0: none). */
export const Q_INTERFACE: u32 = 7;
/** __icmp_send's choices (dst, src, iif index or 0): sent?, source, the way back's MTU, via loopback. */
export const Q_ICMP_SEND: u32 = 8;
/** REJECT's ICMP source (dst, src): has one?, the source, the way back is the loopback device. */
export const Q_ERROR_SOURCE: u32 = 9;
/** rpfilter's reverse route lookup (src, iif index, flags | TOS << 8): 1 when it passes. */
export const Q_RPFILTER: u32 = 10;

export const NO_DEV: u32 = 0xffffffff;
/** Address words of per-class answers: the question's destination, or its source, itself. */
export const THE_DESTINATION: u32 = 0xffffffff;
export const THE_SOURCE: u32 = 0xfffffffe;

// Q_ROUTE_IN answer word 0.
export const RT_LOCAL: u32 = 1;
export const RT_BROADCAST: u32 = 2;
export const RT_MULTICAST: u32 = 3;
/** Forward: words oif, next hop (NEXT_HOP_DESTINATION: the destination itself), MTU. */
export const RT_FORWARD: u32 = 4;
export const NEXT_HOP_DESTINATION: u32 = 0xffffffff;
/** No route: word 1 is the ICMP destination-unreachable code ip_error would send, or NONE. */
export const RT_ERROR: u32 = 5;
// Q_SOCKET answer word 0.
export const SOCK_NONE: u32 = 0;
export const SOCK_LISTENER: u32 = 1;
export const SOCK_PROXY: u32 = 2;

// Sets of WAYS slots: two hot questions that hash alike no longer evict each other on every
// packet (a direct-mapped cache did, costing a JavaScript crossing per packet).
const SETS: u32 = 1 << 14;
const WAYS: u32 = 4;
const SLOT_BYTES: usize = 32;
const CACHE_BYTES: usize = <usize>SETS * WAYS * SLOT_BYTES;
let cache: usize = 0;
/** The answer of the last ask(): four words. */
export const answer: usize = memory.data(16, 16);
/** Questions that crossed into JavaScript (misses). */
let asked: u32 = 0;
/** Round-robin victim when a set is full. */
let victim: u32 = 0;

export function hostQueriesAsked(): u32 {
  return asked;
}

export function initHostQueries(): void {
  if (cache === 0) cache = alloc(CACHE_BYTES);
  memory.fill(cache, 0, CACHE_BYTES);
  asked = 0;
}

/** Asks (kind, a, b, c); returns where the answer's four words are (valid until the next ask). */
export function ask(kind: u32, a: u32, b: u32, c: u32): usize {
  return cached(kind, a, b, c, kind, a, b, c);
}

/**
 * Asks (kind, a, b, c) where the answer is the same for every question with the same key
 * (kind, ka, kb, kc) — addresses replaced by their classes (address-class.ts): one crossing per
 * key, not per question.
 */
export function askByKey(kind: u32, ka: u32, kb: u32, kc: u32, a: u32, b: u32, c: u32): usize {
  return cached(kind | KEYED, ka, kb, kc, kind, a, b, c);
}

/**
 * Asks (kind, a, b, c) where `a` and `b` are addresses the answer depends on only through their
 * classes (Q_ROUTE_IN, Q_ROUTE_OUT, Q_REROUTE_OUT, Q_ICMP_SEND, Q_ERROR_SOURCE): one crossing per
 * pair of classes. Route answers give NEXT_HOP_DESTINATION for a next hop that is the destination.
 */
export function askAboutAddresses(kind: u32, a: u32, b: u32, c: u32): usize {
  const key = pairClass(a, b);
  if (key === NO_CLASS) return ask(kind, a, b, c);
  return askByKey(kind, key, c, 0, a, b, c);
}

const KEYED: u32 = 0x100;

function cached(tagKind: u32, ka: u32, kb: u32, kc: u32, kind: u32, a: u32, b: u32, c: u32): usize {
  let h = hashWord(tagKind, ka);
  h = hashWord(h, kb);
  h = fmix32(hashWord(h, kc));
  const set = cache + <usize>(h & (SETS - 1)) * WAYS * SLOT_BYTES;
  // Word 0 holds the tag kind | 1 << 31 when the slot is filled (kinds are small).
  const tag = tagKind | 0x80000000;
  let free: usize = 0;
  for (let w: u32 = 0; w < WAYS; w++) {
    const s = set + <usize>w * SLOT_BYTES;
    const t = load<u32>(s);
    if (t === tag && load<u32>(s, 4) === ka && load<u32>(s, 8) === kb && load<u32>(s, 12) === kc) {
      return s + 16;
    }
    if (t === 0 && free === 0) free = s;
  }
  memory.fill(answer, 0, 16);
  hostQueryImport(kind, a, b, c, answer);
  asked++;
  if (free === 0) {
    free = set + <usize>(victim & (WAYS - 1)) * SLOT_BYTES;
    victim++;
  }
  store<u32>(free, tag);
  store<u32>(free, ka, 4);
  store<u32>(free, kb, 8);
  store<u32>(free, kc, 12);
  memory.copy(free + 16, answer, 16);
  return free + 16;
}

/** Registry indexes of the current packet's interfaces (0: none). */
export let pktIif: u32 = 0;
export let pktOif: u32 = 0;
/** Set by the packet path: HOST ops (addrtype) may ask; a lone classifier leaves them UNDECIDED. */
export let hostQueries: bool = false;

export function enableHostQueries(): void {
  hostQueries = true;
}

export function setPacketInterfaces(iif: u32, oif: u32): void {
  pktIif = iif;
  pktOif = oif;
}
