// The choice of a NAT tuple (getUniqueTuple and its helpers, src/engine/conntrack/nat-tuple.ts;
// get_unique_tuple in nf_nat_core.c): keep the tuple when in range and unused, reuse this
// source's mapping (find_appropriate_src), spread over an address range by jhash2
// (find_best_ips_proto), search for a free port or ICMP id (nf_nat_l4proto_unique_tuple).
// Tuples are scratch records (tuple.ts); random draws come from prng.ts. Nothing allocates.

import { nextSameSource } from './bysource';
import { jhash2, reciprocalScale } from './jhash';
import {
  CT_NONE,
  E_PROTO,
  E_ZONE,
  IPPROTO_GRE,
  IPPROTO_TCP,
  IPS_DYING,
  IPS_FIXED_TIMEOUT,
  IPS_NAT_MASK,
  IPS_SEQ_ADJUST,
  IPS_SRC_NAT,
  MANIP_DST,
  MANIP_SRC,
  NF_NAT_RANGE_MAP_IPS,
  NF_NAT_RANGE_PERSISTENT,
  NF_NAT_RANGE_PROTO_OFFSET,
  NF_NAT_RANGE_PROTO_RANDOM_ALL,
  NF_NAT_RANGE_PROTO_SPECIFIED,
  R_BASE_PROTO,
  R_FLAGS,
  R_MAX_ADDR,
  R_MAX_PROTO,
  R_MIN_ADDR,
  R_MIN_PROTO,
  S_END,
  T_SIDE,
  T_STATE,
} from './layout';
import { entryReply } from './nat-store';
import { randomU16 } from './prng';
import { allowClash, deleteEntry, entryAt, find, foundNode, statusOf, tupleTaken } from './table';
import { TCP_SYN_SENT, TCP_TIME_WAIT } from './tcp-state';
import {
  entryOriginal,
  hasPorts,
  invertTuple,
  isIcmp,
  T_DPORT,
  T_DST,
  T_IPV6,
  T_PROTO,
  T_SPORT,
  T_SRC,
  TUPLE_BYTES,
  tupleEqual,
} from './tuple';

/** NF_NAT_MAX_ATTEMPTS and NF_NAT_HARDER_THRESH. */
const MAX_ATTEMPTS: u32 = 128;
const HARDER_THRESH: u32 = MAX_ATTEMPTS / 4;

const usedInv: usize = memory.data(<i32>TUPLE_BYTES, 16);
const newInv: usize = memory.data(<i32>TUPLE_BYTES, 16);
const newA: usize = memory.data(<i32>TUPLE_BYTES, 16);
const newB: usize = memory.data(<i32>TUPLE_BYTES, 16);
const harderInv: usize = memory.data(<i32>TUPLE_BYTES, 16);
const srcReply: usize = memory.data(<i32>TUPLE_BYTES, 16);
const srcInv: usize = memory.data(<i32>TUPLE_BYTES, 16);
const hashWords: usize = memory.data(4 * 4, 16);

function words(t: usize): u32 {
  return load<u32>(t, T_IPV6) !== 0 ? 4 : 1;
}

function copyTuple(to: usize, from: usize): void {
  if (to !== from) memory.copy(to, from, TUPLE_BYTES);
}

/** natUsedTuple (nf_nat_used_tuple): would original tuple `t` collide with another's reply? */
export function natUsedTuple(t: usize, ct: u32, now: i64): bool {
  invertTuple(t, usedInv);
  return tupleTaken(usedInv, ct, now);
}

/**
 * natUsedTupleNew (nf_nat_used_tuple_new): natUsedTuple for the untouched original tuple, except
 * that a clash with the exact reverse flow of a clash-allowing protocol is left to confirmation.
 */
function natUsedTupleNew(t: usize, ct: u32, now: i64): bool {
  if (!natUsedTuple(t, ct, now)) return false;
  const e = entryAt(ct);
  if (!allowClash(<u32>load<u8>(e, E_PROTO))) return true;
  const usesNat = IPS_NAT_MASK | IPS_SEQ_ADJUST;
  if ((statusOf(e) & usesNat) !== 0) return true;
  const zone = <u32>load<u16>(e, E_ZONE);
  invertTuple(t, newInv);
  if (!find(t, zone, now) && !find(newInv, zone, now)) return false;
  if ((foundNode & 1) !== 1) return true;
  const other = entryAt(foundNode >> 1);
  if ((statusOf(other) & usesNat) !== 0) return true;
  // other.original == ct.reply && other.reply == ct.original
  entryOriginal(other, newA);
  entryReply(e, newB);
  if (!tupleEqual(newA, newB)) return true;
  entryReply(other, newA);
  entryOriginal(e, newB);
  return !tupleEqual(newA, newB);
}

/** natMayKill (nf_nat_may_kill): a TIME_WAIT-or-later SNATed TCP connection may give way. */
function natMayKill(ct: usize): bool {
  if (<u32>load<u8>(ct, E_PROTO) !== IPPROTO_TCP) return false;
  if (<u32>load<u8>(ct, T_STATE) < TCP_TIME_WAIT) return false;
  const status = statusOf(ct);
  if ((status & (IPS_FIXED_TIMEOUT | IPS_DYING)) !== 0) return false;
  return (status & IPS_SRC_NAT) !== 0;
}

/** seqHasAdvanced (nf_seq_has_advanced): the new SYN is beyond what the old connection used. */
function seqHasAdvanced(old: usize, young: usize): bool {
  if (<u32>load<u8>(old, E_PROTO) !== IPPROTO_TCP || <u32>load<u8>(young, E_PROTO) !== IPPROTO_TCP)
    return false;
  return <i32>(load<u32>(young, T_SIDE + S_END) - load<u32>(old, T_SIDE + S_END)) > 0;
}

/**
 * natUsedTupleHarder (nf_nat_used_tuple_harder): in a TCP SYN's last attempts, evict a colliding
 * SNATed connection in TIME_WAIT whose sequence numbers the new SYN has passed.
 */
function natUsedTupleHarder(t: usize, ct: u32, attemptsLeft: u32, now: i64): bool {
  invertTuple(t, harderInv);
  const e = entryAt(ct);
  if (
    attemptsLeft > HARDER_THRESH ||
    load<u32>(t, T_PROTO) !== IPPROTO_TCP ||
    <u32>load<u8>(e, E_PROTO) !== IPPROTO_TCP ||
    <u32>load<u8>(e, T_STATE) !== TCP_SYN_SENT
  ) {
    return tupleTaken(harderInv, ct, now);
  }
  if (!find(harderInv, <u32>load<u16>(e, E_ZONE), now)) return false;
  const otherIdx = foundNode >> 1;
  if ((foundNode & 1) === 0 || otherIdx === ct) return true;
  const other = entryAt(otherIdx);
  if (!natMayKill(other) || !seqHasAdvanced(other, e)) return true;
  return !deleteEntry(otherIdx);
}

/** compareAddr (ipv6_addr_cmp / ntohl comparison) of `n` address words. */
function compareAddr(a: usize, b: usize, n: u32): i32 {
  for (let i: u32 = 0; i < n; i++) {
    const x = load<u32>(a + ((<usize>i) << 2));
    const y = load<u32>(b + ((<usize>i) << 2));
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** l4protoInRange (l4proto_in_range): the manipulated port or ICMP id lies within [min, max]. */
function l4protoInRange(t: usize, manip: u32, min: u32, max: u32): bool {
  const proto = load<u32>(t, T_PROTO);
  if (isIcmp(proto)) {
    const id = load<u32>(t, T_SPORT);
    return id >= min && id <= max;
  }
  if (hasPorts(proto) || proto === IPPROTO_GRE) {
    const port = load<u32>(t + (manip === MANIP_SRC ? T_SPORT : T_DPORT));
    return port >= min && port <= max;
  }
  return true;
}

/** inRange (nf_in_range): would mapping the source to `t`'s source satisfy the range? */
function inRange(t: usize, range: usize): bool {
  const flags = load<u32>(range, R_FLAGS);
  const n = words(t);
  if ((flags & NF_NAT_RANGE_MAP_IPS) !== 0) {
    if (
      compareAddr(t + T_SRC, range + R_MIN_ADDR, n) < 0 ||
      compareAddr(t + T_SRC, range + R_MAX_ADDR, n) > 0
    )
      return false;
  }
  if ((flags & NF_NAT_RANGE_PROTO_SPECIFIED) === 0) return true;
  return l4protoInRange(t, MANIP_SRC, load<u32>(range, R_MIN_PROTO), load<u32>(range, R_MAX_PROTO));
}

/**
 * findAppropriateSrc (find_appropriate_src): `t` with the source of the newest connection from
 * the same source whose mapping satisfies the range, into `out`; false when there is none.
 */
function findAppropriateSrc(ct: u32, t: usize, range: usize, out: usize, now: i64): bool {
  const zone = <u32>load<u16>(entryAt(ct), E_ZONE);
  let other = nextSameSource(CT_NONE, t, zone, now);
  while (other !== CT_NONE) {
    entryReply(entryAt(other), srcReply);
    invertTuple(srcReply, srcInv);
    copyTuple(out, t);
    memory.copy(out + T_SRC, srcInv + T_SRC, 16);
    store<u32>(out, load<u32>(srcInv, T_SPORT), T_SPORT);
    if (inRange(out, range)) return true;
    other = nextSameSource(other, t, zone, now);
  }
  return false;
}

/** hostWord: a network-order address word as a little-endian host reads it. */
function hostWord(w: u32): u32 {
  return bswap<u32>(w);
}

/**
 * findBestIpsProto (find_best_ips_proto): pick the address, in place in `t`. A range: jhash2
 * of the source words (IPv4 padded) keyed by the last destination word xor the zone (0 with
 * --persistent), scaled onto the range word by word, each destination word mixed in after use.
 */
function findBestIpsProto(ct: u32, t: usize, range: usize, manip: u32): void {
  const flags = load<u32>(range, R_FLAGS);
  if ((flags & NF_NAT_RANGE_MAP_IPS) === 0) return;
  const n = words(t);
  const v = t + (manip === MANIP_SRC ? T_SRC : T_DST);
  if (compareAddr(range + R_MIN_ADDR, range + R_MAX_ADDR, n) === 0) {
    memory.copy(v, range + R_MIN_ADDR, (<usize>n) << 2);
    return;
  }
  const persistent = (flags & NF_NAT_RANGE_PERSISTENT) !== 0;
  const maxI: u32 = n - 1;
  for (let i: u32 = 0; i < 4; i++) {
    store<u32>(hashWords + ((<usize>i) << 2), i < n ? hostWord(load<u32>(t + T_SRC + ((<usize>i) << 2))) : 0);
  }
  const zone = <u32>load<u16>(entryAt(ct), E_ZONE);
  let j = jhash2(hashWords, 4, persistent ? 0 : hostWord(load<u32>(t + T_DST + ((<usize>maxI) << 2))) ^ zone);
  let fullRange = false;
  for (let i: u32 = 0; i <= maxI; i++) {
    const off = (<usize>i) << 2;
    let minip: u32;
    let dist: u32;
    if (!fullRange) {
      minip = load<u32>(range + R_MIN_ADDR + off);
      dist = load<u32>(range + R_MAX_ADDR + off) - minip + 1;
    } else {
      minip = 0;
      dist = 0xffffffff;
    }
    const word = minip + reciprocalScale(j, dist);
    store<u32>(v + off, word);
    if (word !== load<u32>(range + R_MAX_ADDR + off)) fullRange = true;
    // The kernel reads the (possibly just rewritten) destination word here.
    if (!persistent) j ^= hostWord(load<u32>(t + T_DST + off));
  }
}

/**
 * l4protoUniqueTuple (nf_nat_l4proto_unique_tuple): search the port or ICMP id range for a free
 * tuple, in place in `t`: from the port offset, a random u16 (source NAT, --random*) or 0; at
 * most 128 attempts, then from a new random offset with half as many, while at least 16.
 */
function l4protoUniqueTuple(t: usize, range: usize, manip: u32, ct: u32, now: i64): void {
  const flags = load<u32>(range, R_FLAGS);
  const proto = load<u32>(t, T_PROTO);
  const specified = (flags & NF_NAT_RANGE_PROTO_SPECIFIED) !== 0;
  let min: u32;
  let rangeSize: u32;
  let key: usize;
  if (isIcmp(proto)) {
    key = T_SPORT; // the id is the same in both directions
    if (!specified) {
      min = 0;
      rangeSize = 65536;
    } else {
      min = load<u32>(range, R_MIN_PROTO);
      rangeSize = load<u32>(range, R_MAX_PROTO) - min + 1;
    }
  } else if (hasPorts(proto)) {
    key = manip === MANIP_SRC ? T_SPORT : T_DPORT;
    if (!specified) {
      if (manip === MANIP_DST) return; // DNAT without ports can't change the port
      const port = load<u32>(t + key);
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
      let lo = load<u32>(range, R_MIN_PROTO);
      let hi = load<u32>(range, R_MAX_PROTO);
      if (hi < lo) {
        const x = lo;
        lo = hi;
        hi = x;
      }
      min = lo;
      rangeSize = hi - lo + 1;
    }
  } else {
    return; // GRE without a PPTP master, generic protocols: nothing to choose
  }

  let off: u32;
  if ((flags & NF_NAT_RANGE_PROTO_OFFSET) !== 0)
    off = (load<u32>(t + key) - load<u32>(range, R_BASE_PROTO)) & 0xffff;
  else if ((flags & NF_NAT_RANGE_PROTO_RANDOM_ALL) !== 0 || manip !== MANIP_DST) off = randomU16();
  else off = 0;

  let attempts = rangeSize < MAX_ATTEMPTS ? rangeSize : MAX_ATTEMPTS;
  for (;;) {
    for (let i: u32 = 0; i < attempts; i++, off = (off + 1) & 0xffff) {
      store<u32>(t + key, (min + (off % rangeSize)) & 0xffff);
      if (!natUsedTupleHarder(t, ct, attempts - i, now)) return;
    }
    if (attempts >= rangeSize || attempts < 16) return; // give up: confirmation will clash
    attempts = attempts / 2;
    off = randomU16();
  }
}

/**
 * getUniqueTuple (get_unique_tuple): the original-direction tuple connection `ct` will have after
 * the manip, into `out`; `orig` is the current one (the inverse of the reply tuple).
 */
export function getUniqueTuple(ct: u32, orig: usize, range: usize, manip: u32, out: usize, now: i64): void {
  const flags = load<u32>(range, R_FLAGS);
  const randomAll = (flags & NF_NAT_RANGE_PROTO_RANDOM_ALL) !== 0;
  // 1) Source NAT keeps the tuple, or reuses this source's existing mapping, when possible.
  if (manip === MANIP_SRC && !randomAll) {
    if (inRange(orig, range)) {
      if (!natUsedTupleNew(orig, ct, now)) {
        copyTuple(out, orig);
        return;
      }
    } else if (findAppropriateSrc(ct, orig, range, out, now) && !natUsedTuple(out, ct, now)) {
      return;
    }
  }
  // 2) The address.
  copyTuple(out, orig);
  findBestIpsProto(ct, out, range, manip);
  // 3) The port, only if not already in range and unique.
  if (!randomAll) {
    if ((flags & NF_NAT_RANGE_PROTO_SPECIFIED) !== 0) {
      const lo = load<u32>(range, R_MIN_PROTO);
      const hi = load<u32>(range, R_MAX_PROTO);
      if (
        (flags & NF_NAT_RANGE_PROTO_OFFSET) === 0 &&
        l4protoInRange(out, manip, lo, hi) &&
        (lo === hi || !natUsedTuple(out, ct, now))
      ) {
        return;
      }
    } else if (!natUsedTuple(out, ct, now)) {
      return;
    }
  }
  l4protoUniqueTuple(out, range, manip, ct, now);
}
