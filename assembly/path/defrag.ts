// IPv4 fragment queues as src/engine/reference/defrag.ts models the kernel's (ip_defrag,
// ip_frag_queue, inet_frag_queue_insert, ip_frag_reasm; net/ipv4/ip_fragment.c and
// inet_fragment.c): keyed by defrag user, addresses, protocol and IP id; overlaps drop the whole
// queue, a fragment inside what is held is a duplicate; a queue lives ipfrag_time from its
// creation (ip_expire). Only header-less (IHL 5) fragments reach here.
//
// Memory is fixed: QUEUES queues, each with a record and a 64 KiB buffer the fragments' data is
// written into at its offset (an accepted fragment never overlaps another, so the buffer is the
// datagram as it fills). Data past 65535 bytes is not kept: such a datagram can only end
// oversized (dropped). More queues, or more fragments in one queue, than there is room for stop
// the path (DEFRAG_FULL) instead of guessing.

import { internetChecksum } from '../checksum';
import { be16, be32 } from '../memory';

export const QUEUES: u32 = 64;
/** Fragments (and so runs) one queue holds. */
const MAX_FRAGMENTS: u32 = 64;
const HEADER: u32 = 20;
const BUFFER_BYTES: usize = 65536;
/** The largest datagram (tot_len is 16 bits): data beyond it is never reassembled. */
const DATA_MAX: u32 = 65535 - HEADER;

export const USER_CONNTRACK_IN: u32 = 0;
export const USER_CONNTRACK_OUT: u32 = 1;
export const USER_LOCAL_DELIVER: u32 = 2;

// What defragment() did with a fragment.
export const DEFRAG_HELD: u32 = 0;
export const DEFRAG_COMPLETE: u32 = 1;
export const DEFRAG_FULL: u32 = 2;
// Dropped (the kinds the host spells out, with the queue's description).
export const DROP_LAST_CONTRADICTS: u32 = 3;
export const DROP_BEYOND_END: u32 = 4;
export const DROP_EMPTY: u32 = 5;
export const DROP_DUPLICATE: u32 = 6;
export const DROP_OVERLAP: u32 = 7;
export const DROP_ECN: u32 = 8;
export const DROP_OVERSIZED: u32 = 9;

// Queue record.
const Q_USED: usize = 0;
const Q_USER: usize = 4;
const Q_SRC: usize = 8;
const Q_DST: usize = 12;
const Q_PROTO: usize = 16;
const Q_ID: usize = 20;
const Q_EXPIRES: usize = 24;
/** Creation order: queues expiring at the same time go in it (the reference's Map order). */
const Q_SEQ: usize = 32;
const Q_FLAGS: usize = 36;
const Q_LEN: usize = 40;
const Q_MEAT: usize = 44;
const Q_MAX_SIZE: usize = 48;
const Q_MAX_DF_SIZE: usize = 52;
const Q_ECN: usize = 56;
/** qp->iif: the interface the last accepted fragment came in by. */
const Q_IIF: usize = 60;
const Q_COUNT: usize = 64;
const Q_RUNS: usize = 68;
/** The first fragment's frame addresses (destination, source), when it came with them. */
const Q_MAC: usize = 72;
/** The first fragment's data length (its held bytes are HEADER + this). */
const Q_HEAD_END: usize = 84;
const Q_FRAGMENTS: usize = 96;
const Q_RUN_LIST: usize = Q_FRAGMENTS + <usize>MAX_FRAGMENTS * 8;
const Q_BYTES: usize = Q_RUN_LIST + <usize>MAX_FRAGMENTS * 8;

const F_FIRST_IN: u32 = 1;
const F_LAST_IN: u32 = 2;
const F_MAC: u32 = 4;

const IP_DF: u32 = 0x4000;
const IP_MF: u32 = 0x2000;
const IP_OFFSET: u32 = 0x1fff;

const IPFRAG_ECN_NOT_ECT: u32 = 0x01;
const IPFRAG_ECN_ECT_1: u32 = 0x02;
const IPFRAG_ECN_ECT_0: u32 = 0x04;
const IPFRAG_ECN_CE: u32 = 0x08;

let records: usize = 0;
let buffers: usize = 0;
let timeout: i64 = 0;
let active: u32 = 0;
let seq: u32 = 0;
/** The earliest expiry among the queues (i64 max when there are none). */
let nextExpiry: i64 = i64.MAX_VALUE;

// Where completed datagrams are kept for the batch's results.
let arena: usize = 0;
let arenaBytes: u32 = 0;
let arenaUsed: u32 = 0;

/** What the last defragment() call found, for the host's wording and for the output path. */
export let heldFragments: u32 = 0;
export let heldMeat: u32 = 0;
export let heldLen: u32 = 0;
export let heldLastIn: bool = false;
export let reassembled: usize = 0;
export let reassembledLength: u32 = 0;
/** IPCB(skb)->frag_max_size and IPSKB_FRAG_PMTU of the datagram completed. */
export let fragMaxSize: u32 = 0;
export let fragPmtu: bool = false;
/** Its pieces' data lengths in offset order (the skb's frag_list geometry). */
export const pieces: usize = memory.data(<i32>MAX_FRAGMENTS * 4, 16);
export let pieceCount: u32 = 0;
/** The first fragment's frame addresses (0: it had none). */
export let headMac: usize = 0;

export function defragAreaBytes(): usize {
  return <usize>QUEUES * (Q_BYTES + BUFFER_BYTES);
}

/** Installs the queue area, the batch's area for completed datagrams, and ipfrag_time (seconds). */
export function initDefrag(area: usize, completed: usize, completedBytes: u32, seconds: u32): void {
  records = area;
  buffers = area + <usize>QUEUES * Q_BYTES;
  memory.fill(records, 0, <usize>QUEUES * Q_BYTES);
  arena = completed;
  arenaBytes = completedBytes;
  arenaUsed = 0;
  timeout = <i64>seconds * 1_000_000_000;
  active = 0;
  nextExpiry = i64.MAX_VALUE;
}

/** A batch starts: its completed datagrams go from the start of the area again. */
export function beginCompleted(): void {
  arenaUsed = 0;
}

function queueAt(q: u32): usize {
  return records + <usize>q * Q_BYTES;
}

function bufferOf(q: u32): usize {
  return buffers + <usize>q * BUFFER_BYTES;
}

/** inet_frag_kill: the queue leaves the table. */
function kill(q: u32): void {
  const r = queueAt(q);
  store<u32>(r, 0, Q_USED);
  active--;
  if (load<i64>(r, Q_EXPIRES) === nextExpiry) {
    nextExpiry = i64.MAX_VALUE;
    for (let i: u32 = 0; i < QUEUES; i++) {
      const o = queueAt(i);
      if (load<u32>(o, Q_USED) !== 0 && load<i64>(o, Q_EXPIRES) < nextExpiry)
        nextExpiry = load<i64>(o, Q_EXPIRES);
    }
  }
}

/** ip_find: the queue of (user, src, dst, proto, id), created with its timer when new; QUEUES when full. */
function find(user: u32, src: u32, dst: u32, proto: u32, id: u32, now: i64): u32 {
  let free = QUEUES;
  for (let q: u32 = 0; q < QUEUES; q++) {
    const r = queueAt(q);
    if (load<u32>(r, Q_USED) === 0) {
      if (free === QUEUES) free = q;
      continue;
    }
    if (
      load<u32>(r, Q_ID) === id &&
      load<u32>(r, Q_SRC) === src &&
      load<u32>(r, Q_DST) === dst &&
      load<u32>(r, Q_PROTO) === proto &&
      load<u32>(r, Q_USER) === user
    )
      return q;
  }
  if (free === QUEUES) return QUEUES;
  const r = queueAt(free);
  memory.fill(r, 0, Q_FRAGMENTS);
  store<u32>(r, 1, Q_USED);
  store<u32>(r, user, Q_USER);
  store<u32>(r, src, Q_SRC);
  store<u32>(r, dst, Q_DST);
  store<u32>(r, proto, Q_PROTO);
  store<u32>(r, id, Q_ID);
  const expires = now + timeout;
  store<i64>(r, expires, Q_EXPIRES);
  store<u32>(r, seq++, Q_SEQ);
  active++;
  if (expires < nextExpiry) nextExpiry = expires;
  return free;
}

/**
 * ip_defrag → ip_frag_queue for the fragment at `ip` (`len` bytes, IHL 5) from interface `iif`,
 * its frame addresses at `mac` (0: none). DEFRAG_COMPLETE leaves the datagram at `reassembled`.
 */
export function defragment(ip: usize, len: u32, user: u32, iif: u32, mac: usize, now: i64): u32 {
  const q = find(user, be32(ip + 12), be32(ip + 16), <u32>load<u8>(ip, 9), be16(ip + 4), now);
  if (q === QUEUES) return DEFRAG_FULL;
  const r = queueAt(q);
  const field = be16(ip + 6);
  const offset = (field & IP_OFFSET) << 3;
  let end = offset + len - HEADER;
  let flags = load<u32>(r, Q_FLAGS);
  let qlen = load<u32>(r, Q_LEN);
  if ((field & IP_MF) === 0) {
    // The final fragment: nothing may lie beyond it, and a second final one must agree.
    if (end < qlen || ((flags & F_LAST_IN) !== 0 && end !== qlen)) {
      kill(q);
      return DROP_LAST_CONTRADICTS;
    }
    flags |= F_LAST_IN;
    qlen = end;
  } else {
    // A middle fragment's data is cut to a multiple of 8 (pskb_trim_rcsum).
    end &= ~7;
    if (end > qlen) {
      if ((flags & F_LAST_IN) !== 0) {
        kill(q);
        return DROP_BEYOND_END;
      }
      qlen = end;
    }
  }
  // ip_frag_queue updates the queue's length before it looks at the fragment any further.
  store<u32>(r, flags, Q_FLAGS);
  store<u32>(r, qlen, Q_LEN);
  if (end === offset) {
    kill(q);
    return DROP_EMPTY;
  }
  const inserted = insert(r, offset, end);
  if (inserted !== DEFRAG_HELD) {
    if (inserted === DROP_OVERLAP) kill(q);
    return inserted;
  }
  // The data goes where it belongs in the datagram (what lies past 65535 bytes is never used).
  const buf = bufferOf(q);
  if (offset < DATA_MAX) {
    const stop = end < DATA_MAX ? end : DATA_MAX;
    memory.copy(buf + HEADER + offset, ip + HEADER, stop - offset);
  }
  if (offset === 0) {
    memory.copy(buf, ip, HEADER);
    store<u32>(r, end, Q_HEAD_END);
    flags |= F_FIRST_IN;
    if (mac !== 0) {
      memory.copy(r + Q_MAC, mac, 12);
      flags |= F_MAC;
    } else flags &= ~F_MAC;
  }
  store<u32>(r, flags, Q_FLAGS);
  store<u32>(r, iif, Q_IIF);
  const meat = load<u32>(r, Q_MEAT) + end - offset;
  store<u32>(r, meat, Q_MEAT);
  store<u32>(r, load<u32>(r, Q_ECN) | (1 << (<u32>load<u8>(ip, 1) & 3)), Q_ECN);
  const size = end - offset + HEADER;
  if (size > load<u32>(r, Q_MAX_SIZE)) store<u32>(r, size, Q_MAX_SIZE);
  if ((field & IP_DF) !== 0 && size > load<u32>(r, Q_MAX_DF_SIZE)) store<u32>(r, size, Q_MAX_DF_SIZE);
  if ((flags & F_FIRST_IN) !== 0 && (flags & F_LAST_IN) !== 0 && meat === qlen) return reassemble(q);
  heldFragments = load<u32>(r, Q_COUNT);
  heldMeat = meat;
  heldLen = qlen;
  heldLastIn = (flags & F_LAST_IN) !== 0;
  return DEFRAG_HELD;
}

function fragmentOffset(r: usize, i: u32): u32 {
  return load<u32>(r + Q_FRAGMENTS + ((<usize>i) << 3));
}
function fragmentEnd(r: usize, i: u32): u32 {
  return load<u32>(r + Q_FRAGMENTS + ((<usize>i) << 3), 4);
}
function runOffset(r: usize, i: u32): u32 {
  return load<u32>(r + Q_RUN_LIST + ((<usize>i) << 3));
}
function runLength(r: usize, i: u32): u32 {
  return load<u32>(r + Q_RUN_LIST + ((<usize>i) << 3), 4);
}

/** Opens slot `at` in a list of `n` (offset, end|length) pairs at `list` and fills it. */
function insertPair(list: usize, n: u32, at: u32, a: u32, b: u32): void {
  const p = list + ((<usize>at) << 3);
  memory.copy(p + 8, p, (<usize>(n - at)) << 3);
  store<u32>(p, a);
  store<u32>(p, b, 4);
}

/**
 * inet_frag_queue_insert: a fragment past the tail extends the last run (or starts one after a
 * gap); any other goes where it fits between the runs. Partly covering a run is an overlap;
 * lying wholly inside one is a duplicate. Fragments are kept in offset order: the tail (the
 * fragment with the highest end) is the last, the last run its run.
 */
function insert(r: usize, offset: u32, end: u32): u32 {
  const n = load<u32>(r, Q_COUNT);
  const runs = load<u32>(r, Q_RUNS);
  const tailEnd: u32 = n === 0 ? 0 : fragmentEnd(r, n - 1);
  if (n === 0 || tailEnd < end) {
    if (n !== 0 && offset < tailEnd) return DROP_OVERLAP;
    if (n === MAX_FRAGMENTS) return DEFRAG_FULL;
    if (n !== 0 && offset === tailEnd) {
      const last = r + Q_RUN_LIST + ((<usize>(runs - 1)) << 3);
      store<u32>(last, load<u32>(last, 4) + end - offset, 4);
    } else {
      insertPair(r + Q_RUN_LIST, runs, runs, offset, end - offset);
      store<u32>(r, runs + 1, Q_RUNS);
    }
    insertPair(r + Q_FRAGMENTS, n, n, offset, end);
    store<u32>(r, n + 1, Q_COUNT);
    return DEFRAG_HELD;
  }
  // Runs never overlap, so a fragment inside one touches no other.
  let touched: u32 = 0;
  let inside = false;
  let at = runs;
  for (let i: u32 = 0; i < runs; i++) {
    const ro = runOffset(r, i);
    const re = ro + runLength(r, i);
    if (offset < re && end > ro) {
      touched++;
      inside = offset >= ro && end <= re;
    }
    if (at === runs && ro > offset) at = i;
  }
  if (touched === 1 && inside) return DROP_DUPLICATE;
  if (touched > 0) return DROP_OVERLAP;
  if (n === MAX_FRAGMENTS) return DEFRAG_FULL;
  insertPair(r + Q_RUN_LIST, runs, at, offset, end - offset);
  store<u32>(r, runs + 1, Q_RUNS);
  let f: u32 = 0;
  while (f < n && fragmentOffset(r, f) < offset) f++;
  insertPair(r + Q_FRAGMENTS, n, f, offset, end);
  store<u32>(r, n + 1, Q_COUNT);
  return DEFRAG_HELD;
}

/** ip_frag_ecn_table: the TOS ECN bits of the datagram, or 0xff (an invalid mix: dropped). */
function reassembledEcn(bits: u32): u32 {
  const ce = (bits & IPFRAG_ECN_CE) !== 0;
  const ect = (bits & (IPFRAG_ECN_ECT_0 | IPFRAG_ECN_ECT_1)) !== 0;
  if ((bits & IPFRAG_ECN_NOT_ECT) !== 0) return ce || ect ? 0xff : 0;
  return ce && ect ? 3 : 0;
}

/** ip_frag_reasm: the datagram from the first fragment's header and every fragment's data. */
function reassemble(q: u32): u32 {
  const r = queueAt(q);
  kill(q);
  const ecn = reassembledEcn(load<u32>(r, Q_ECN));
  if (ecn === 0xff) return DROP_ECN;
  const total = HEADER + load<u32>(r, Q_LEN);
  reassembledLength = total;
  if (total > 65535) return DROP_OVERSIZED;
  if (arenaUsed + total > arenaBytes) return DEFRAG_FULL;
  const out = arena + <usize>arenaUsed;
  arenaUsed += (total + 7) & ~7;
  memory.copy(out, bufferOf(q), total);
  store<u16>(out + 2, bswap<u16>(<u16>total));
  store<u8>(out + 1, load<u8>(out, 1) | <u8>ecn);
  const maxSize = load<u32>(r, Q_MAX_SIZE);
  const maxDf = load<u32>(r, Q_MAX_DF_SIZE);
  fragPmtu = maxDf === maxSize;
  fragMaxSize = maxDf > maxSize ? maxDf : maxSize;
  store<u16>(out + 6, bswap<u16>(<u16>(fragPmtu ? IP_DF : 0)));
  store<u16>(out + 10, 0);
  store<u16>(out + 10, bswap<u16>(<u16>internetChecksum(out, HEADER)));
  const n = load<u32>(r, Q_COUNT);
  for (let i: u32 = 0; i < n; i++)
    store<u32>(pieces + ((<usize>i) << 2), fragmentEnd(r, i) - fragmentOffset(r, i));
  pieceCount = n;
  headMac = (load<u32>(r, Q_FLAGS) & F_MAC) !== 0 ? r + Q_MAC : 0;
  reassembled = out;
  return DEFRAG_COMPLETE;
}

/** Queues waiting whose timer fires at or before `now`. */
export function timersDue(now: i64): bool {
  return active > 0 && nextExpiry <= now;
}

/**
 * The queue whose ipfrag_time ran out first at `now` (creation order among equals), or QUEUES.
 * The caller reads it (expiredUser, expiredHead...) and then frees it (expiredDone).
 */
export function nextExpired(now: i64): u32 {
  let best = QUEUES;
  let bestAt: i64 = 0;
  let bestSeq: u32 = 0;
  for (let q: u32 = 0; q < QUEUES; q++) {
    const r = queueAt(q);
    if (load<u32>(r, Q_USED) === 0) continue;
    const at = load<i64>(r, Q_EXPIRES);
    if (at > now) continue;
    const s = load<u32>(r, Q_SEQ);
    if (best === QUEUES || at < bestAt || (at === bestAt && s - seq < bestSeq - seq)) {
      best = q;
      bestAt = at;
      bestSeq = s;
    }
  }
  return best;
}

export function expiredUser(q: u32): u32 {
  return load<u32>(queueAt(q), Q_USER);
}
export function expiredIif(q: u32): u32 {
  return load<u32>(queueAt(q), Q_IIF);
}
/** The first fragment as it came in (INET_FRAG_FIRST_IN), or 0 when it never came. */
export function expiredHead(q: u32): usize {
  return (load<u32>(queueAt(q), Q_FLAGS) & F_FIRST_IN) !== 0 ? bufferOf(q) : 0;
}
export function expiredHeadLength(q: u32): u32 {
  return HEADER + load<u32>(queueAt(q), Q_HEAD_END);
}
/** Its frame addresses (destination, source), or 0. */
export function expiredMac(q: u32): usize {
  const r = queueAt(q);
  return (load<u32>(r, Q_FLAGS) & F_MAC) !== 0 ? r + Q_MAC : 0;
}
export function expiredDone(q: u32): void {
  kill(q);
}
