// The kernel's choice of a NAT tuple (nf_nat_core.c, Linux 6.x): get_unique_tuple and its
// helpers — keep the original tuple when it is in range and unused, reuse an existing mapping
// of the same source (find_appropriate_src), spread over an address range by a jhash of the
// addresses (find_best_ips_proto), and search for a free port or ICMP id
// (nf_nat_l4proto_unique_tuple). Every random draw comes from the Prng passed in.

import type { ConnEntry } from './entry.js';
import { hostWord, jhash2, reciprocalScale } from './jhash.js';
import {
  type Manip,
  type NatRange2,
  NF_NAT_RANGE_MAP_IPS,
  NF_NAT_RANGE_PERSISTENT,
  NF_NAT_RANGE_PROTO_OFFSET,
  NF_NAT_RANGE_PROTO_RANDOM_ALL,
  NF_NAT_RANGE_PROTO_SPECIFIED,
} from './nat-range.js';
import { type Prng, randomU16 } from './prng.js';
import { IPS_DYING, IPS_FIXED_TIMEOUT, IPS_NAT_MASK, IPS_SEQ_ADJUST, IPS_SRC_NAT } from './status.js';
import { allowClash, type ConntrackTable } from './table.js';
import { tcpStateOf } from './tcp.js';
import { TCP_SYN_SENT, TCP_TIME_WAIT } from './tcp-state.js';
import { hasPorts, IPPROTO_GRE, IPPROTO_TCP, isIcmp, mustInvert, type Tuple, tupleEqual } from './tuple.js';

/** NF_NAT_MAX_ATTEMPTS and NF_NAT_HARDER_THRESH. */
const MAX_ATTEMPTS = 128;
const HARDER_THRESH = MAX_ATTEMPTS / 4;

export interface TupleChoiceContext {
  readonly table: ConntrackTable;
  readonly prng: Prng;
  readonly now: bigint;
}

/** nf_nat_used_tuple: would a connection with this original tuple collide with another's reply? */
export function natUsedTuple(ctx: TupleChoiceContext, t: Tuple, ct: ConnEntry): boolean {
  return ctx.table.tupleTaken(mustInvert(t), ct, ctx.now);
}

/**
 * nf_nat_used_tuple_new: as natUsedTuple for the untouched original tuple, except that a clash
 * with the exact reverse flow of a protocol that allows clashes is left to confirmation.
 */
function natUsedTupleNew(ctx: TupleChoiceContext, t: Tuple, ct: ConnEntry): boolean {
  if (!natUsedTuple(ctx, t, ct)) return false;
  if (!allowClash(ct.tuple.original.protocol)) return true;
  const usesNat = IPS_NAT_MASK | IPS_SEQ_ADJUST;
  if (ct.status & usesNat) return true;
  const found = ctx.table.find(t, ct.zone, ctx.now) ?? ctx.table.find(mustInvert(t), ct.zone, ctx.now);
  if (!found) return false;
  if (found.direction !== 'reply') return true;
  const other = found.entry;
  if (other.status & usesNat) return true;
  return !(
    tupleEqual(other.tuple.original, ct.tuple.reply) && tupleEqual(other.tuple.reply, ct.tuple.original)
  );
}

/** nf_nat_may_kill: a TIME_WAIT-or-later SNATed TCP connection may give up its tuple. */
function natMayKill(ct: ConnEntry): boolean {
  const t = tcpStateOf(ct);
  if (!t || t.state < TCP_TIME_WAIT) return false;
  if (ct.status & (IPS_FIXED_TIMEOUT | IPS_DYING)) return false;
  return (ct.status & IPS_SRC_NAT) !== 0;
}

/** nf_seq_has_advanced: the new SYN's sequence is beyond what the old connection used. */
function seqHasAdvanced(old: ConnEntry, young: ConnEntry): boolean {
  const a = tcpStateOf(old);
  const b = tcpStateOf(young);
  if (!a || !b) return false;
  return ((b.seen[0].tdEnd - a.seen[0].tdEnd) | 0) > 0;
}

/**
 * nf_nat_used_tuple_harder: in the last attempts of a TCP SYN's port search, evict a
 * colliding SNATed connection in TIME_WAIT whose sequence numbers the new SYN has passed.
 */
function natUsedTupleHarder(ctx: TupleChoiceContext, t: Tuple, ct: ConnEntry, attemptsLeft: number): boolean {
  const reply = mustInvert(t);
  const tcp = tcpStateOf(ct);
  if (attemptsLeft > HARDER_THRESH || t.protocol !== IPPROTO_TCP || !tcp || tcp.state !== TCP_SYN_SENT) {
    return ctx.table.tupleTaken(reply, ct, ctx.now);
  }
  const found = ctx.table.find(reply, ct.zone, ctx.now);
  if (!found) return false;
  if (found.direction === 'original' || found.entry === ct) return true;
  const other = found.entry;
  if (!natMayKill(other) || !seqHasAdvanced(other, ct)) return true;
  return !ctx.table.delete(other); // offloaded entries are not modelled
}

/** ipv6_addr_cmp / ntohl comparison of address words. */
function compareAddr(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! >>> 0;
    const y = b[i]! >>> 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function addrEq(a: readonly number[], b: readonly number[]): boolean {
  return compareAddr(a, b) === 0;
}

/** l4proto_in_range: the manipulated port (or ICMP id) lies within [min, max]. */
function l4protoInRange(t: Tuple, manip: Manip, min: number, max: number): boolean {
  if (isIcmp(t.protocol)) return t.sport >= min && t.sport <= max;
  if (hasPorts(t.protocol) || t.protocol === IPPROTO_GRE) {
    const port = manip === 'src' ? t.sport : t.dport;
    return port >= min && port <= max;
  }
  return true;
}

/** nf_in_range: would mapping the source to this tuple's source satisfy the range? */
function inRange(t: Tuple, range: NatRange2): boolean {
  if (range.flags & NF_NAT_RANGE_MAP_IPS) {
    if (compareAddr(t.src, range.minAddr) < 0 || compareAddr(t.src, range.maxAddr) > 0) return false;
  }
  if (!(range.flags & NF_NAT_RANGE_PROTO_SPECIFIED)) return true;
  return l4protoInRange(t, 'src', range.minProto, range.maxProto);
}

/** find_appropriate_src: reuse the mapping an existing connection from the same source got. */
function findAppropriateSrc(
  ctx: TupleChoiceContext,
  ct: ConnEntry,
  t: Tuple,
  range: NatRange2,
): Tuple | null {
  for (const other of ctx.table.sameSource(t, ct.zone, ctx.now)) {
    const inv = mustInvert(other.tuple.reply);
    const result: Tuple = { ...t, src: inv.src, sport: inv.sport };
    if (inRange(result, range)) return result;
  }
  return null;
}

/**
 * find_best_ips_proto: pick the address. One address: that one. A range: jhash2 of the
 * source address (all four words of the union, IPv4 padded with zeros) keyed by the last
 * destination word xor the zone (0 with --persistent), scaled onto the range word by word;
 * without --persistent each destination word is mixed in after use. Address words are hashed
 * as a little-endian host reads them.
 */
function findBestIpsProto(ct: ConnEntry, t: Tuple, range: NatRange2, manip: Manip): Tuple {
  if (!(range.flags & NF_NAT_RANGE_MAP_IPS)) return t;
  if (addrEq(range.minAddr, range.maxAddr)) {
    return manip === 'src' ? { ...t, src: range.minAddr } : { ...t, dst: range.minAddr };
  }
  const persistent = (range.flags & NF_NAT_RANGE_PERSISTENT) !== 0;
  const max = t.family === 'ipv4' ? 0 : 3;
  const src = [...t.src];
  const dst = [...t.dst];
  const v = manip === 'src' ? src : dst;
  const srcWords = [0, 1, 2, 3].map((i) => (i < src.length ? hostWord(src[i]!) : 0));
  let j = jhash2(srcWords, persistent ? 0 : (hostWord(dst[max]!) ^ ct.zone) >>> 0);
  let fullRange = false;
  for (let i = 0; i <= max; i++) {
    let minip: number;
    let dist: number;
    if (!fullRange) {
      minip = range.minAddr[i]! >>> 0;
      const maxip = range.maxAddr[i]! >>> 0;
      dist = (maxip - minip + 1) >>> 0;
    } else {
      minip = 0;
      dist = 0xffffffff;
    }
    v[i] = (minip + reciprocalScale(j, dist)) >>> 0;
    if (v[i] !== range.maxAddr[i]! >>> 0) fullRange = true;
    // The kernel reads the (possibly just rewritten) destination word here.
    if (!persistent) j = (j ^ hostWord(dst[i]!)) >>> 0;
  }
  return { ...t, src, dst };
}

/**
 * nf_nat_l4proto_unique_tuple: search the port (or ICMP id) range for a free tuple. Start:
 * the shifted-portmap offset, else a random u16 for source NAT or --random*, else 0 (DNAT
 * ranges are tried from their first port). At most 128 attempts; when all are taken, retry
 * from a new random offset with half as many, while at least 16. Without a port range, SNAT
 * keeps the port's class: 1-511, 600-1023 or 1024-65535; DNAT keeps the port.
 */
function l4protoUniqueTuple(
  ctx: TupleChoiceContext,
  t: Tuple,
  range: NatRange2,
  manip: Manip,
  ct: ConnEntry,
): Tuple {
  let min: number;
  let rangeSize: number;
  let key: 'sport' | 'dport';
  const specified = (range.flags & NF_NAT_RANGE_PROTO_SPECIFIED) !== 0;
  if (isIcmp(t.protocol)) {
    key = 'sport'; // the id is the same in both directions
    if (!specified) {
      min = 0;
      rangeSize = 65536;
    } else {
      min = range.minProto;
      rangeSize = (range.maxProto - range.minProto + 1) >>> 0;
    }
  } else if (hasPorts(t.protocol)) {
    key = manip === 'src' ? 'sport' : 'dport';
    if (!specified) {
      if (manip === 'dst') return t; // DNAT without ports can't change the port
      const port = t[key];
      if (port < 1024) {
        // Loose convention: below 512 is credential passing.
        if (port < 512) {
          min = 1;
          rangeSize = 511;
        } else {
          min = 600;
          rangeSize = 1023 - 600 + 1;
        }
      } else {
        min = 1024;
        rangeSize = 65535 - 1024 + 1;
      }
    } else {
      let lo = range.minProto;
      let hi = range.maxProto;
      if (hi < lo) [lo, hi] = [hi, lo];
      min = lo;
      rangeSize = hi - lo + 1;
    }
  } else {
    return t; // GRE without a PPTP master, generic protocols: nothing to choose
  }

  let off: number;
  if (range.flags & NF_NAT_RANGE_PROTO_OFFSET) off = (t[key] - range.baseProto) & 0xffff;
  else if (range.flags & NF_NAT_RANGE_PROTO_RANDOM_ALL || manip !== 'dst') off = randomU16(ctx.prng);
  else off = 0;

  let attempts = Math.min(rangeSize, MAX_ATTEMPTS);
  let cand = t;
  for (;;) {
    for (let i = 0; i < attempts; i++, off = (off + 1) & 0xffff) {
      cand = { ...cand, [key]: (min + (off % rangeSize)) & 0xffff };
      if (!natUsedTupleHarder(ctx, cand, ct, attempts - i)) return cand;
    }
    if (attempts >= rangeSize || attempts < 16) return cand; // give up: confirmation will clash
    attempts = Math.floor(attempts / 2);
    off = randomU16(ctx.prng);
  }
}

/**
 * get_unique_tuple: the original-direction tuple this connection will have after the manip.
 * `orig` is the current one (the inverse of the reply tuple, reflecting earlier manips).
 */
export function getUniqueTuple(
  ctx: TupleChoiceContext,
  ct: ConnEntry,
  orig: Tuple,
  range: NatRange2,
  manip: Manip,
): Tuple {
  const randomAll = (range.flags & NF_NAT_RANGE_PROTO_RANDOM_ALL) !== 0;
  // 1) Source NAT keeps the tuple, or reuses this source's existing mapping, when possible.
  if (manip === 'src' && !randomAll) {
    if (inRange(orig, range)) {
      if (!natUsedTupleNew(ctx, orig, ct)) return orig;
    } else {
      const reuse = findAppropriateSrc(ctx, ct, orig, range);
      if (reuse && !natUsedTuple(ctx, reuse, ct)) return reuse;
    }
  }
  // 2) The address.
  const t = findBestIpsProto(ct, orig, range, manip);
  // 3) The port, only if not already in range and unique.
  if (!randomAll) {
    if (range.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
      if (
        !(range.flags & NF_NAT_RANGE_PROTO_OFFSET) &&
        l4protoInRange(t, manip, range.minProto, range.maxProto) &&
        (range.minProto === range.maxProto || !natUsedTuple(ctx, t, ct))
      ) {
        return t;
      }
    } else if (!natUsedTuple(ctx, t, ct)) {
      return t;
    }
  }
  return l4protoUniqueTuple(ctx, t, range, manip, ct);
}
