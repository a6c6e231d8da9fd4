// -m connlimit as src/engine/reference/matches/connlimit.ts keeps it (xt_connlimit over
// nf_conncount, Linux 6.18.44): per rule, one list of connection tuples per masked address and
// zone. A packet whose address has no list starts one with its connection. A confirmed,
// assured or ESTABLISHED connection's packet adds nothing: it prunes the list (connections
// conntrack no longer holds, TCP ones in TIME_WAIT or CLOSE), at most once a jiffy. Any other
// packet walks the list in order, pruning (up to GC_MAX_COLLECT + 1 evictions), stops at its own
// tuple, else appends it — without the walk within the jiffy of the list's last pruning. The
// count is the list's length; 0 drops the packet.
//
// Only the packet path runs it (it needs conntrack), where an undecided walk abandons the whole
// run, so the lists need no journal. Lists are never freed, as in the reference engine. The
// pools of lists and listed connections (all rules') double when full, up to LIST_LIMIT and
// NODE_LIMIT; past that the walk is left undecided (the reference engine then runs the trace).

import {
  CT_NONE,
  E_PROTO,
  E_ZONE,
  IP_CT_ESTABLISHED,
  IPS_ASSURED,
  K_UNTRACKED,
  T_STATE,
} from './conntrack/layout';
import { confirmed, entryAt, find, foundNode, statusOf } from './conntrack/table';
import { TCP_CLOSE, TCP_TIME_WAIT } from './conntrack/tcp-state';
import {
  entryOriginal,
  isIcmp,
  packetTuple,
  T_CODE,
  T_DPORT,
  T_DST,
  T_IPV6,
  T_PROTO,
  T_SPORT,
  T_SRC,
  T_TYPE,
  TUPLE_BYTES,
} from './conntrack/tuple';
import { fmix32, hashWord } from './hash-mix';
import { HOTDROP, NO, UNDECIDED, YES } from './layout';
import { jiffiesAt } from './limit';
import { alloc } from './memory';
import { ct } from './ops';
import { fields, P_DST, P_SRC, packet, skbLen } from './packet';
import { ctPacketFromIpv4 } from './path/ct-packet';
import { walkConnection, walkConnectionInfo, walkConnectionKind } from './path/walk-connection';

/** CONNCOUNT_GC_MAX_COLLECT: a walk stops once it has evicted more than this many. */
const GC_MAX_COLLECT: u32 = 64;
const LIST_LIMIT: u32 = 1 << 21;
const NODE_LIMIT: u32 = 1 << 23;
const FIRST_LISTS: u32 = 1 << 12;
const FIRST_NODES: u32 = 1 << 14;
const NIL: u32 = 0xffffffff;

// List: state slot, masked address, zone, first node, last node, length, jiffy of the last
// pruning (i64) and the length then.
const L_SLOT: usize = 0;
const L_ADDR: usize = 4;
const L_ZONE: usize = 8;
const L_HEAD: usize = 12;
const L_TAIL: usize = 16;
const L_LENGTH: usize = 20;
const L_LAST_GC: usize = 24;
const L_LAST_COUNT: usize = 32;
const LIST_BYTES: usize = 40;
// Node: next, protocol | zone << 16, src, dst, sport << 16 | dport (ICMP: id << 16 | type << 8 | code).
const N_NEXT: usize = 0;
const N_PROTO_ZONE: usize = 4;
const N_SRC: usize = 8;
const N_DST: usize = 12;
const N_PORTS: usize = 16;
const NODE_BYTES: usize = 20;

let lists: usize = 0;
let listCount: u32 = 0;
let listCap: u32 = 0;
/** Open addressing over twice listCap slots: list index + 1 per slot, 0 for none. */
let slots: usize = 0;
let nodes: usize = 0;
let nodeHigh: u32 = 0;
let nodeCap: u32 = 0;
let freeNode: u32 = NIL;

const tuple: usize = memory.data(<i32>TUPLE_BYTES, 16);
const probe: usize = memory.data(<i32>TUPLE_BYTES, 16);
const pkt: usize = memory.data(160, 16);

/** Every list emptied (allocated on first use). */
export function resetConnlimit(): void {
  if (lists === 0) return;
  memory.fill(slots, 0, <usize>listCap * 8);
  listCount = 0;
  nodeHigh = 0;
  freeNode = NIL;
}

function ensureAllocated(): void {
  if (lists !== 0) return;
  listCap = FIRST_LISTS;
  lists = alloc(<usize>listCap * LIST_BYTES);
  slots = alloc(<usize>listCap * 8);
  nodeCap = FIRST_NODES;
  nodes = alloc(<usize>nodeCap * NODE_BYTES);
}

/** The first slot listOf probes for (slot, addr, zone). */
function home(slot: u32, addr: u32, zone: u32): u32 {
  return fmix32(hashWord(hashWord(hashWord(0x2f7a, slot), addr), zone)) & (listCap * 2 - 1);
}

/**
 * Twice the lists (and slots, refilled from the lists); false at LIST_LIMIT. The bump allocator
 * keeps the old pools: growth leaves about as much behind as it uses.
 */
function growLists(): bool {
  if (listCap >= LIST_LIMIT) return false;
  const old = lists;
  listCap *= 2;
  lists = alloc(<usize>listCap * LIST_BYTES);
  memory.copy(lists, old, <usize>listCount * LIST_BYTES);
  slots = alloc(<usize>listCap * 8);
  for (let j: u32 = 0; j < listCount; j++) {
    const l = lists + <usize>j * LIST_BYTES;
    let i = home(load<u32>(l, L_SLOT), load<u32>(l, L_ADDR), load<u32>(l, L_ZONE));
    while (load<u32>(slots + ((<usize>i) << 2)) !== 0) i = (i + 1) & (listCap * 2 - 1);
    store<u32>(slots + ((<usize>i) << 2), j + 1);
  }
  return true;
}

/** Twice the nodes (indexes stay); false at NODE_LIMIT. */
function growNodes(): bool {
  if (nodeCap >= NODE_LIMIT) return false;
  const old = nodes;
  nodeCap *= 2;
  nodes = alloc(<usize>nodeCap * NODE_BYTES);
  memory.copy(nodes, old, <usize>nodeHigh * NODE_BYTES);
  return true;
}

function nodeAt(i: u32): usize {
  return nodes + <usize>i * NODE_BYTES;
}

function newNode(): u32 {
  if (freeNode !== NIL) {
    const i = freeNode;
    freeNode = load<u32>(nodeAt(i), N_NEXT);
    return i;
  }
  if (nodeHigh === nodeCap && !growNodes()) return NIL;
  return nodeHigh++;
}

/** Whether the last listOf made its list. */
let listMade: bool = false;

/** The list of (slot, addr, zone), made empty when new; NIL when no room is left. */
function listOf(slot: u32, addr: u32, zone: u32): u32 {
  listMade = false;
  let i = home(slot, addr, zone);
  while (true) {
    const at = slots + ((<usize>i) << 2);
    const v = load<u32>(at);
    if (v === 0) break;
    const l = lists + <usize>(v - 1) * LIST_BYTES;
    if (load<u32>(l, L_SLOT) === slot && load<u32>(l, L_ADDR) === addr && load<u32>(l, L_ZONE) === zone)
      return v - 1;
    i = (i + 1) & (listCap * 2 - 1);
  }
  if (listCount === listCap) {
    if (!growLists()) return NIL;
    i = home(slot, addr, zone);
    while (load<u32>(slots + ((<usize>i) << 2)) !== 0) i = (i + 1) & (listCap * 2 - 1);
  }
  const index = listCount++;
  store<u32>(slots + ((<usize>i) << 2), index + 1);
  const l = lists + <usize>index * LIST_BYTES;
  store<u32>(l, slot, L_SLOT);
  store<u32>(l, addr, L_ADDR);
  store<u32>(l, zone, L_ZONE);
  store<u32>(l, NIL, L_HEAD);
  store<u32>(l, NIL, L_TAIL);
  store<u32>(l, 0, L_LENGTH);
  listMade = true;
  return index;
}

/** The node's tuple as conntrack keeps tuples (the reference engine's tupleFromKey), into `t`. */
function nodeTuple(n: usize, t: usize): void {
  memory.fill(t, 0, TUPLE_BYTES);
  const proto = load<u32>(n, N_PROTO_ZONE) & 0xffff;
  const ports = load<u32>(n, N_PORTS);
  store<u32>(t, 0, T_IPV6);
  store<u32>(t, proto, T_PROTO);
  store<u32>(t, load<u32>(n, N_SRC), T_SRC);
  store<u32>(t, load<u32>(n, N_DST), T_DST);
  store<u32>(t, ports >>> 16, T_SPORT);
  if (isIcmp(proto)) {
    store<u32>(t, (ports >> 8) & 0xff, T_TYPE);
    store<u32>(t, ports & 0xff, T_CODE);
  } else store<u32>(t, ports & 0xffff, T_DPORT);
}

/** The packed ports word of tuple `t` (ICMP: id, type and code). */
function portsOf(t: usize): u32 {
  const proto = load<u32>(t, T_PROTO);
  const second = isIcmp(proto) ? (load<u32>(t, T_TYPE) << 8) | load<u32>(t, T_CODE) : load<u32>(t, T_DPORT);
  return (load<u32>(t, T_SPORT) << 16) | (second & 0xffff);
}

/** Appends the tuple in flight (`pz`, src, dst, ports) to list `l`; false when out of nodes. */
function append(l: usize, pz: u32, src: u32, dst: u32, ports: u32): bool {
  const k = newNode();
  if (k === NIL) return false;
  const n = nodeAt(k);
  store<u32>(n, NIL, N_NEXT);
  store<u32>(n, pz, N_PROTO_ZONE);
  store<u32>(n, src, N_SRC);
  store<u32>(n, dst, N_DST);
  store<u32>(n, ports, N_PORTS);
  const tail = load<u32>(l, L_TAIL);
  if (tail === NIL) store<u32>(l, k, L_HEAD);
  else store<u32>(nodeAt(tail), k, N_NEXT);
  store<u32>(l, k, L_TAIL);
  store<u32>(l, load<u32>(l, L_LENGTH) + 1, L_LENGTH);
  return true;
}

/** Unlinks node `i` (after `prev`, NIL for the head) from list `l` and frees it. */
function evict(l: usize, prev: u32, i: u32, next: u32): void {
  if (prev === NIL) store<u32>(l, next, L_HEAD);
  else store<u32>(nodeAt(prev), next, N_NEXT);
  if (load<u32>(l, L_TAIL) === i) store<u32>(l, prev, L_TAIL);
  store<u32>(nodeAt(i), freeNode, N_NEXT);
  freeNode = i;
  store<u32>(l, load<u32>(l, L_LENGTH) - 1, L_LENGTH);
}

// What became of a listed connection (stateOf).
const GONE: u32 = 0;
const LIVE: u32 = 1;
const CLOSED: u32 = 2;

/** find_or_evict + already_closed for node `n`: GONE (not found, unconfirmed), CLOSED (TCP TIME_WAIT/CLOSE) or LIVE. */
function stateOf(n: usize, now: i64): u32 {
  nodeTuple(n, probe);
  // nf_conntrack_find_get: a confirmed, unexpired connection with that tuple either way.
  if (!find(probe, load<u32>(n, N_PROTO_ZONE) >>> 16, now)) return GONE;
  const e = entryAt(foundNode >> 1);
  if (!confirmed(e)) return GONE;
  const state = <u32>load<u8>(e, T_STATE);
  return <u32>load<u8>(e, E_PROTO) === 6 && (state === TCP_TIME_WAIT || state === TCP_CLOSE) ? CLOSED : LIVE;
}

/** nf_conncount_gc_list: once a jiffy, the whole list pruned (stopping past GC_MAX_COLLECT evictions at a kept one). */
function prune(l: usize, jiffy: i64, now: i64): void {
  if (jiffy === load<i64>(l, L_LAST_GC)) return;
  let prev: u32 = NIL;
  let i = load<u32>(l, L_HEAD);
  let collected: u32 = 0;
  while (i !== NIL) {
    const n = nodeAt(i);
    const next = load<u32>(n, N_NEXT);
    if (stateOf(n, now) !== LIVE) {
      evict(l, prev, i, next);
      collected++;
    } else {
      prev = i;
      if (collected > GC_MAX_COLLECT) break;
    }
    i = next;
  }
  store<i64>(l, jiffy, L_LAST_GC);
  store<u32>(l, load<u32>(l, L_LENGTH), L_LAST_COUNT);
}

/**
 * __nf_conncount_add's walk over list `l` for the tuple in flight: evicts what is gone or closed
 * (up to GC_MAX_COLLECT + 1), stops at the tuple itself (zone `zone`), else notes the pruning
 * and appends. False when out of nodes.
 */
function walkAndAdd(
  l: usize,
  pz: u32,
  src: u32,
  dst: u32,
  ports: u32,
  zone: u32,
  jiffy: i64,
  now: i64,
): bool {
  let prev: u32 = NIL;
  let i = load<u32>(l, L_HEAD);
  let collect: u32 = 0;
  while (i !== NIL && collect <= GC_MAX_COLLECT) {
    const n = nodeAt(i);
    const next = load<u32>(n, N_NEXT);
    const state = stateOf(n, now);
    if (state !== GONE && sameTuple(n, pz, src, dst, ports, zone)) return true;
    if (state !== LIVE) {
      evict(l, prev, i, next);
      collect++;
    } else prev = i;
    i = next;
  }
  store<i64>(l, jiffy, L_LAST_GC);
  store<u32>(l, load<u32>(l, L_LENGTH), L_LAST_COUNT);
  return append(l, pz, src, dst, ports);
}

/** nf_ct_tuple_equal between node `n` and the tuple in flight, and the found connection's zone `zone`. */
function sameTuple(n: usize, pz: u32, src: u32, dst: u32, ports: u32, zone: u32): bool {
  return (
    (load<u32>(n, N_PROTO_ZONE) & 0xffff) === (pz & 0xffff) &&
    load<u32>(n, N_SRC) === src &&
    load<u32>(n, N_DST) === dst &&
    load<u32>(n, N_PORTS) === ports &&
    <u32>load<u16>(entryAt(foundNode >> 1), E_ZONE) === zone
  );
}

/**
 * connlimit_mt for STATEFUL slot `slot` with parameters at `p` (limit, above, prefix length,
 * key 0 source / 1 destination): YES, NO, HOTDROP, or UNDECIDED when out of room.
 */
export function connlimitHolds(slot: u32, p: usize, now: i64): u32 {
  ensureAllocated();
  // get_ct_or_tuple_from_skb: the connection's original tuple, whichever direction the packet
  // goes; without one (invalid, untracked) the packet's own tuple in zone 0 and the confirmed
  // connection holding it, if any; without a tuple, a hotdrop.
  const entry = walkConnection();
  let zone: u32 = 0;
  let keyZone: u32 = 0;
  let confirmedConn = false;
  let skip = false;
  if (entry !== CT_NONE && load<u32>(ct) !== 0) {
    const e = entryAt(entry);
    entryOriginal(e, tuple);
    zone = <u32>load<u16>(e, E_ZONE);
    keyZone = zone;
    confirmedConn = confirmed(e);
    skip = confirmedConn && ((statusOf(e) & IPS_ASSURED) !== 0 || walkConnectionInfo() === IP_CT_ESTABLISHED);
  } else {
    if (!ctPacketFromIpv4(packet, skbLen, 0, false, 0, now, pkt) || !packetTuple(pkt, tuple)) return HOTDROP;
    const e = find(tuple, 0, now) ? entryAt(foundNode >> 1) : 0;
    if (e !== 0 && confirmed(e)) {
      confirmedConn = true;
      // No ct on the packet: its ctinfo word reads IP_CT_ESTABLISHED, but IP_CT_UNTRACKED untracked.
      skip = (statusOf(e) & IPS_ASSURED) !== 0 || walkConnectionKind() !== K_UNTRACKED;
    }
  }
  const prefix = load<u32>(p, 8);
  const mask: u32 = prefix === 0 ? 0 : 0xffffffff << (32 - prefix);
  const addr = load<u32>(fields + ((<usize>(load<u32>(p, 12) === 1 ? P_DST : P_SRC)) << 2)) & mask;
  const li = listOf(slot, addr, keyZone);
  if (li === NIL) return UNDECIDED;
  const l = lists + <usize>li * LIST_BYTES;
  const pz = (load<u32>(tuple, T_PROTO) & 0xffff) | (zone << 16);
  const src = load<u32>(tuple, T_SRC);
  const dst = load<u32>(tuple, T_DST);
  const ports = portsOf(tuple);
  const jiffy = jiffiesAt(now);
  if (listMade) {
    // insert_tree: a new list holding the packet's connection.
    store<i64>(l, jiffy, L_LAST_GC);
    store<u32>(l, 0, L_LAST_COUNT);
    if (!append(l, pz, src, dst, ports)) return UNDECIDED;
  } else if (!skip) {
    const length = load<u32>(l, L_LENGTH);
    if (
      !confirmedConn &&
      jiffy === load<i64>(l, L_LAST_GC) &&
      length - load<u32>(l, L_LAST_COUNT) < GC_MAX_COLLECT
    ) {
      if (!append(l, pz, src, dst, ports)) return UNDECIDED;
    } else if (!walkAndAdd(l, pz, src, dst, ports, zone, jiffy, now)) return UNDECIDED;
  } else if (load<u32>(l, L_LENGTH) > 0) prune(l, jiffy, now);
  const count = load<u32>(l, L_LENGTH);
  // connections == 0: hotdrop; (connections > limit) ^ --connlimit-upto.
  if (count === 0) return HOTDROP;
  return count > load<u32>(p) === (load<u32>(p, 4) !== 0) ? YES : NO;
}
