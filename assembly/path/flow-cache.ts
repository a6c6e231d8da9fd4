// The flow cache of the packet path: per direction of an established connection, as received
// (interface, addresses, protocol, ports, skb mark), the connection it belongs to — so
// conntrack skips its hash lookup — and, once a packet of the flow has gone the whole way, what
// happened after conntrack: the walks' counter updates, the route, the verdict. A later packet
// of the flow whose conntrack outcome is the same (state, direction, status — but for ASSURED
// when no walk reads the status —, connection mark) replays that instead of walking the tables
// and asking for the route again; its own bytes are still rewritten by NAT and TTL, and
// conntrack still runs on it in full.
//
// Recorded only when everything after conntrack is a function of what the key and the checks
// hold: every walk pure and reading only fields fixed within a flow (verdict-memo.ts), a
// forwarded or delivered packet, no host answer. Anything else is never replayed: the packet
// takes the ordinary path, so a replay is exact, not a guess.
//
// A refused flow — whose connection's first packet a rule or a policy dropped, so that each of
// its packets is again a new connection's first — is recorded too (flowRecordStart): its
// packets are made and released an entry by conntrack, then dropped as the first was. Refused
// flows take only free entries or each other's.
//
// An entry is one cache line (the key, the connection, the route); what many flows share — the
// fate, the decision and the walks' counter updates — is interned once as a "way" record the
// entries name. The cache starts at 32k entries (2 MiB) and, as flows displace each other,
// doubles up to two per preallocated connection (256k at most, 16 MiB), so flows stay cached
// however many connections the trace keeps open while a small trace keeps a small cache.

import {
  CT_NONE,
  E_ID,
  E_MARK,
  E_STATUS,
  IP_CT_ESTABLISHED,
  IP_CT_ESTABLISHED_REPLY,
  IP_CT_NEW,
  IPS_ASSURED,
  MANIP_SRC,
} from '../conntrack/layout';
import { confirmed, entryAt, inTable, isExpired } from '../conntrack/table';
import { fmix32, hashWord } from '../hash-mix';
import { allocLines, copyWords } from '../memory';
import { countPacket } from '../table';

const WAYS: u32 = 2;
const MIN_ENTRIES: u32 = 1 << 15;
const MAX_ENTRIES: u32 = 1 << 18;
const MAX_COUNTERS: u32 = 24;
const ENTRY_BYTES: usize = 64;
// Entry words.
const W_TAG: usize = 0; // VALID | iif | protocol << 16
const W_SRC: usize = 4;
const W_DST: usize = 8;
const W_PORTS: usize = 12;
const W_MARK: usize = 16;
const W_CT: usize = 20; // connection index
const W_CT_ID: usize = 24;
const W_DIR: usize = 28; // direction | STATUS_ASSURED_IGNORED
const W_CTINFO: usize = 32;
const W_STATUS: usize = 36;
const W_CT_MARK: usize = 40;
const W_GUARD: usize = 44;
const W_WAY: usize = 48; // way record index + 1; 0: no outcome recorded
const W_OIF: usize = 52;
const W_NEXT_HOP: usize = 56;
const W_MTU: usize = 60;
// Way records: open addressing, interned by content; when they are full the cache starts over.
const WAY_SLOTS: u32 = 1 << 12;
const WAY_LIMIT: u32 = (WAY_SLOTS * 3) >> 2;
const WAY_BYTES: usize = 128;
const V_FATE: usize = 0; // 0: free slot
const V_REASON: usize = 4; // the fate's reason (the socket kind of a delivery)
const V_DECISION: usize = 8;
const V_COUNTED: usize = 12;
const V_COUNTERS: usize = 16;
const VALID: u32 = 0x80000000;
/**
 * In W_DIR: no walk of the way reads the connection's status, so the ASSURED bit, which
 * conntrack sets on an established connection's next packets (the handshake's last ACK, a UDP
 * stream's), does not change the way, and the status compares without it.
 */
const STATUS_ASSURED_IGNORED: u32 = 2;
/**
 * In W_DIR: the way of a refused flow, a connection's first packet dropped by a rule or a
 * policy (see flowRecordStart). Each of the flow's packets is a new connection's first packet:
 * W_CT and W_CT_ID name the first of them, which no later packet is on.
 */
const REFUSED: u32 = 4;
/** In W_DIR, a refused flow's: its way made a null binding for DST (NAT_NULL_DST) or SRC. */
const NAT_NULL_DST: u32 = 8;
const NAT_NULL_SRC: u32 = 16;
/** V_DECISION when the replayed packet keeps its own decision. */
export const NO_DECISION: u32 = 0xffffffff;

let entries: usize = 0;
/** Entries in use (a power of two), at most maxEntries; the memory for maxEntries is reserved. */
let entryCount: u32 = 0;
let maxEntries: u32 = 0;
let setMask: u32 = 0;
let victim: u32 = 0;
/** Flows that displaced another since the cache last grew. */
let evictions: u32 = 0;
let wayRecords: usize = 0;
let wayCount: u32 = 0;

// The packet in flight: its key, and the entry holding it (0: none yet).
let kTag: u32 = 0;
let kSrc: u32 = 0;
let kDst: u32 = 0;
let kPorts: u32 = 0;
let kMark: u32 = 0;
let kHash: u32 = 0;
let kSet: usize = 0;
/** The entry found for the packet in flight, 0 when none. */
export let flowEntry: usize = 0;

// The recording of the packet in flight's way after conntrack.
let recording: bool = false;
let recordOk: bool = false;
let recGuard: u32 = 0;
let recCount: u32 = 0;
let recWalks: u32 = 0;
const recCounters: usize = memory.data(<i32>MAX_COUNTERS * 4, 16);
let recCt: u32 = CT_NONE;
let recDir: u32 = 0;
let recCtinfo: u32 = 0;
let recStatus: u32 = 0;
let recReadsStatus: bool = false;
let recCtMark: u32 = 0;
let recOif: u32 = 0;
let recNextHop: u32 = 0;
let recMtu: u32 = 0;
let recLocal: bool = false;
let recRefusal: bool = false;
let recNullBound: u32 = 0;

let flowHits: u32 = 0;
let flowReplays: u32 = 0;
let flowRefusals: u32 = 0;
/** Recorded flows (not refused ones) lost for want of room: displaced, or flushed with the ways. */
let flowDisplaced: u32 = 0;

export function flowCacheHits(): u32 {
  return flowHits;
}

export function flowCacheReplays(): u32 {
  return flowReplays;
}

export function flowCacheRefusals(): u32 {
  return flowRefusals;
}

export function flowCacheDisplaced(): u32 {
  return flowDisplaced;
}

let flowCacheOn: bool = true;

/** Turns the flow cache on or off (WasmEngineOptions.flowCache; the results are the same). */
export function setFlowCache(on: bool): void {
  flowCacheOn = on;
}

/** Whether packets look up and record their flows (setFlowCache). */
export function flowCacheEnabled(): bool {
  return flowCacheOn;
}

/**
 * Sets the cache up for a connection table of `connections` preallocated records: it starts at
 * 32k entries and may grow to two per record (256k at most), as flows displace each other.
 */
export function initFlowCache(connections: u32): void {
  if (entries === 0) {
    let n = MIN_ENTRIES;
    while (n < MAX_ENTRIES && n < connections * 2) n <<= 1;
    maxEntries = n;
    // Reserved, not touched: fresh pages cost nothing until the cache grows into them.
    entries = allocLines(<usize>n * ENTRY_BYTES);
    wayRecords = allocLines(<usize>WAY_SLOTS * WAY_BYTES);
  }
  entryCount = MIN_ENTRIES;
  setMask = entryCount / WAYS - 1;
  evictions = 0;
  flushFlows();
  flowHits = 0;
  flowReplays = 0;
  flowRefusals = 0;
  flowDisplaced = 0;
}

function flowHash(tag: u32, src: u32, dst: u32, ports: u32, mark: u32): u32 {
  let h = hashWord(tag, src);
  h = hashWord(h, dst);
  h = hashWord(h, ports);
  return fmix32(hashWord(h, mark));
}

/**
 * Twice the entries: set s splits into s and s + the old set count (the hash's next bit), each
 * flow moving to its new set in the same way, so nothing cached is lost.
 */
function grow(): void {
  const oldSets = entryCount / WAYS;
  const upper = entries + <usize>entryCount * ENTRY_BYTES;
  memory.fill(upper, 0, <usize>entryCount * ENTRY_BYTES);
  entryCount <<= 1;
  setMask = entryCount / WAYS - 1;
  evictions = 0;
  for (let i: u32 = 0; i < oldSets * WAYS; i++) {
    const e = entries + <usize>i * ENTRY_BYTES;
    if (load<u32>(e, W_TAG) === 0) continue;
    const h = flowHash(
      load<u32>(e, W_TAG),
      load<u32>(e, W_SRC),
      load<u32>(e, W_DST),
      load<u32>(e, W_PORTS),
      load<u32>(e, W_MARK),
    );
    if ((h & setMask) < oldSets) continue;
    memory.copy(upper + <usize>i * ENTRY_BYTES, e, ENTRY_BYTES);
    memory.fill(e, 0, ENTRY_BYTES);
  }
}

/** Whether entry `e` holds a recorded flow, not a refused one (flowDisplaced counts their loss). */
function holdsRecordedFlow(e: usize): bool {
  return load<u32>(e, W_TAG) !== 0 && (load<u32>(e, W_DIR) & REFUSED) === 0;
}

/** Forgets every flow and way. */
function flushFlows(): void {
  for (let i: u32 = 0; i < entryCount; i++) {
    const e = entries + <usize>i * ENTRY_BYTES;
    if (holdsRecordedFlow(e)) flowDisplaced++;
  }
  memory.fill(entries, 0, <usize>entryCount * ENTRY_BYTES);
  memory.fill(wayRecords, 0, <usize>WAY_SLOTS * WAY_BYTES);
  wayCount = 0;
}

/**
 * The way record holding (fate, reason, decision) and the `count` counter updates at `list`,
 * made if new: its index + 1, or 0 when the records are full.
 */
function internWay(fate: u32, reason: u32, decision: u32, list: usize, count: u32): u32 {
  // Ways are few: the decision and the first and last counter tell them apart well enough.
  let h = hashWord(hashWord(hashWord(fate, reason), decision), count);
  if (count > 0) h = hashWord(hashWord(h, load<u32>(list)), load<u32>(list + ((<usize>(count - 1)) << 2)));
  let slot = fmix32(h) & (WAY_SLOTS - 1);
  // Never more than WAY_LIMIT records: a free slot ends every probe.
  for (let probe: u32 = 0; probe < WAY_SLOTS; probe++) {
    const v = wayRecords + <usize>slot * WAY_BYTES;
    if (load<u32>(v, V_FATE) === 0) {
      if (wayCount >= WAY_LIMIT) return 0;
      wayCount++;
      store<u32>(v, fate, V_FATE);
      store<u32>(v, reason, V_REASON);
      store<u32>(v, decision, V_DECISION);
      store<u32>(v, count, V_COUNTED);
      copyWords(v + V_COUNTERS, list, <usize>count);
      return slot + 1;
    }
    if (isWay(v, fate, reason, decision, list, count)) return slot + 1;
    slot = (slot + 1) & (WAY_SLOTS - 1);
  }
  return 0;
}

/**
 * The first entry of `set` that is free or holds a refused flow, which gives way to any flow
 * (so that refused flows never displace others, nor change which the others displace); 0 when
 * both hold other flows.
 */
function openWay(set: usize): usize {
  for (let w: u32 = 0; w < WAYS; w++) {
    const e = set + <usize>w * ENTRY_BYTES;
    if (load<u32>(e, W_TAG) === 0 || (load<u32>(e, W_DIR) & REFUSED) !== 0) return e;
  }
  return 0;
}

/**
 * Counts a flow displaced (or, refused, left out) for want of room; whether the cache should now
 * grow: many flows displacing each other get twice the entries (small caches stay in the
 * processor's caches and TLB; a large one only where the flows need it).
 */
function crowded(): bool {
  return ++evictions > entryCount >> 3 && entryCount < maxEntries;
}

/** Grows the cache; the packet in flight's set is then its new one. */
function grownSet(): void {
  grow();
  kSet = setOf(kHash);
}

/** The first free entry of `set`, or 0. */
function freeWay(set: usize): usize {
  for (let w: u32 = 0; w < WAYS; w++) {
    const e = set + <usize>w * ENTRY_BYTES;
    if (load<u32>(e, W_TAG) === 0) return e;
  }
  return 0;
}

/**
 * Where a refused flow goes in `set`: its first free entry, else a refused flow's, else one
 * whose connection has left the table (it would never replay again), else 0.
 */
function refusedFlowWay(set: usize): usize {
  const free = freeWay(set);
  if (free !== 0) return free;
  const open = openWay(set);
  if (open !== 0) return open;
  for (let w: u32 = 0; w < WAYS; w++) {
    const e = set + <usize>w * ENTRY_BYTES;
    const c = entryAt(load<u32>(e, W_CT));
    if (load<u32>(c, E_ID) !== load<u32>(e, W_CT_ID) || !inTable(c)) return e;
  }
  return 0;
}

/** Whether the way record at `v` holds (fate, reason, decision) and the `count` updates at `list`. */
function isWay(v: usize, fate: u32, reason: u32, decision: u32, list: usize, count: u32): bool {
  if (
    load<u32>(v, V_FATE) !== fate ||
    load<u32>(v, V_REASON) !== reason ||
    load<u32>(v, V_DECISION) !== decision ||
    load<u32>(v, V_COUNTED) !== count
  )
    return false;
  for (let i: usize = 0; i < (<usize>count) << 2; i += 4)
    if (load<u32>(v + V_COUNTERS + i) !== load<u32>(list + i)) return false;
  return true;
}

/** The way record of the found flow (valid after flowOutcomeHolds). */
function flowWay(): usize {
  return wayRecords + <usize>(load<u32>(flowEntry, W_WAY) - 1) * WAY_BYTES;
}

/** The set a flow of hash `h` lives in. */
function setOf(h: u32): usize {
  return entries + <usize>(h & setMask) * WAYS * ENTRY_BYTES;
}

/** The entry tag of a datagram at `ip` received on `iif`. */
function tagOf(iif: u32, ip: usize): u32 {
  return VALID | iif | ((<u32>load<u8>(ip, 9)) << 16);
}

/** The set the flow of the datagram at `ip` (received on `iif`, skb mark `mark`) hashes to. */
export function flowSetOf(iif: u32, ip: usize, mark: u32): usize {
  return setOf(flowHash(tagOf(iif, ip), load<u32>(ip, 12), load<u32>(ip, 16), load<u32>(ip, 20), mark));
}

/** The entry of set `set` holding the key, or 0. */
function entryIn(set: usize, tag: u32, src: u32, dst: u32, ports: u32, mark: u32): usize {
  for (let w: u32 = 0; w < WAYS; w++) {
    const e = set + <usize>w * ENTRY_BYTES;
    if (
      load<u32>(e, W_TAG) === tag &&
      load<u32>(e, W_SRC) === src &&
      load<u32>(e, W_DST) === dst &&
      load<u32>(e, W_PORTS) === ports &&
      load<u32>(e, W_MARK) === mark
    )
      return e;
  }
  return 0;
}

/** The bytes of an entry: a set's entries are one cache line each, from the set's address. */
export const FLOW_ENTRY_BYTES: usize = ENTRY_BYTES;

/**
 * The connection index the cached flow of the datagram at `ip` (received on `iif`, skb mark
 * `mark`) names, looked for in its set `set` (flowSetOf), or u32.MAX_VALUE.
 */
export function flowConnectionIn(set: usize, iif: u32, ip: usize, mark: u32): u32 {
  const e = entryIn(set, tagOf(iif, ip), load<u32>(ip, 12), load<u32>(ip, 16), load<u32>(ip, 20), mark);
  return e !== 0 ? load<u32>(e, W_CT) : u32.MAX_VALUE;
}

/**
 * Looks up the flow of a TCP or UDP datagram at `ip` (header without options) received on
 * `iif` with skb mark `mark`; sets flowEntry (0 on a miss) and remembers the key.
 */
export function flowLookup(iif: u32, ip: usize, mark: u32): void {
  kTag = tagOf(iif, ip);
  kSrc = load<u32>(ip, 12);
  kDst = load<u32>(ip, 16);
  kPorts = load<u32>(ip, 20);
  kMark = mark;
  const h = flowHash(kTag, kSrc, kDst, kPorts, mark);
  kHash = h;
  kSet = setOf(h);
  flowEntry = entryIn(kSet, kTag, kSrc, kDst, kPorts, kMark);
}

/**
 * The conntrack node (index << 1 | direction) the found flow's packets belong to, when that
 * connection is still the one recorded and find would return it (in the table, not expired);
 * CT_NONE otherwise.
 */
export function flowHint(now: i64): u32 {
  if (flowEntry === 0) return CT_NONE;
  const idx = load<u32>(flowEntry, W_CT);
  const e = entryAt(idx);
  if (load<u32>(e, E_ID) !== load<u32>(flowEntry, W_CT_ID) || !inTable(e) || isExpired(e, now))
    return CT_NONE;
  flowHits++;
  return (idx << 1) | (load<u32>(flowEntry, W_DIR) & 1);
}

/**
 * Whether the found flow's recorded outcome holds for the packet in flight after conntrack
 * gave (idx, dir, ctinfo): same connection state and the same values of what the walks read.
 */
export function flowOutcomeHolds(idx: u32, dir: u32, ctinfo: u32, l4Length: u32): bool {
  const f = flowEntry;
  if (f === 0 || load<u32>(f, W_WAY) === 0) return false;
  const e = entryAt(idx);
  const dirWord = load<u32>(f, W_DIR);
  const status = <u32>load<u16>(e, E_STATUS) & ((dirWord & STATUS_ASSURED_IGNORED) !== 0 ? ~IPS_ASSURED : ~0);
  // A refused flow's packet is on a connection of its own, new and unconfirmed like the first.
  const sameConnection =
    (dirWord & REFUSED) !== 0
      ? !confirmed(e)
      : load<u32>(f, W_CT) === idx && load<u32>(f, W_CT_ID) === load<u32>(e, E_ID);
  return (
    sameConnection &&
    (dirWord & 1) === dir &&
    load<u32>(f, W_CTINFO) === ctinfo &&
    load<u32>(f, W_STATUS) === status &&
    load<u32>(f, W_CT_MARK) === load<u32>(e, E_MARK) &&
    l4Length >= load<u32>(f, W_GUARD)
  );
}

/** The recorded outcome's words (valid after flowOutcomeHolds). */
export function flowFate(): u32 {
  return load<u32>(flowWay(), V_FATE);
}
export function flowDecision(): u32 {
  return load<u32>(flowWay(), V_DECISION);
}
export function flowOif(): u32 {
  return load<u32>(flowEntry, W_OIF);
}
export function flowNextHop(): u32 {
  return load<u32>(flowEntry, W_NEXT_HOP);
}
export function flowReason(): u32 {
  return load<u32>(flowWay(), V_REASON);
}
export function flowMtu(): u32 {
  return load<u32>(flowEntry, W_MTU);
}

/** Adds the recorded walks' counter updates for a datagram of `bytes`. */
export function flowReplayCounters(bytes: u32): void {
  if ((load<u32>(flowEntry, W_DIR) & REFUSED) !== 0) flowRefusals++;
  else flowReplays++;
  const v = flowWay();
  countPacket(v + V_COUNTERS, load<u32>(v, V_COUNTED), bytes);
}

/**
 * Starts recording the packet in flight's way after conntrack, when conntrack found it on a
 * connection already in the table: established, or still NEW because no answer has come yet
 * (the packets that follow a first one whose answers never arrive). A connection's first packet
 * takes a way of its own (NAT bindings, confirmation), recorded only if a rule or a policy
 * drops it (a refusal, see flowRecordEnd): the flow's next packet, a retransmission or the next
 * datagram to a port the firewall closes, is again a new connection's first packet, and its
 * entry is released again, so its way after conntrack is the same whenever its walks are pure
 * and NAT only made null bindings; the path still runs conntrack on it, making and releasing
 * its entry.
 */
export function flowRecordStart(idx: u32, dir: u32, ctinfo: u32): void {
  const e = entryAt(idx);
  recRefusal = ctinfo === IP_CT_NEW && !confirmed(e);
  recording = ctinfo === IP_CT_ESTABLISHED || ctinfo === IP_CT_ESTABLISHED_REPLY || ctinfo === IP_CT_NEW;
  recordOk = recording;
  recGuard = 0;
  recCount = 0;
  recWalks = 0;
  recReadsStatus = false;
  recLocal = false;
  recNullBound = 0;
  recOif = 0;
  recNextHop = 0;
  recMtu = 0;
  recCt = idx;
  recDir = dir;
  recCtinfo = ctinfo;
  recStatus = <u32>load<u16>(e, E_STATUS);
  recCtMark = load<u32>(e, E_MARK);
}

export function flowRecordStop(): void {
  recording = false;
}

/** The way being recorded made a null binding for `manip` (nat.ts natNullBinding). */
export function flowRecordNullBinding(manip: u32): void {
  recNullBound |= manip === MANIP_SRC ? NAT_NULL_SRC : NAT_NULL_DST;
}

/** Whether the found refused flow's way made a null binding for `manip`. */
export function flowNullBound(manip: u32): bool {
  return (load<u32>(flowEntry, W_DIR) & (manip === MANIP_SRC ? NAT_NULL_SRC : NAT_NULL_DST)) !== 0;
}

/** Whether the way being recorded is a connection's first packet's (a refusal if dropped). */
export function flowRecordingFirst(): bool {
  return recording && recRefusal;
}

/** A walk of the recorded way: its counters, and whether its outcome is the flow's. */
export function flowRecordWalk(flowSafe: bool, guard: u32, readsStatus: bool, log: usize, logged: u32): void {
  if (!recording) return;
  if (readsStatus) recReadsStatus = true;
  if (!flowSafe || recCount + logged > MAX_COUNTERS) {
    recordOk = false;
    return;
  }
  copyWords(recCounters + ((<usize>recCount) << 2), log, <usize>logged);
  recCount += logged;
  recWalks++;
  if (guard > recGuard) recGuard = guard;
}

/** The route of the recorded way: forward (oif, next hop, MTU), or local delivery. */
export function flowRecordRoute(local: bool, oif: u32, nextHop: u32, mtu: u32): void {
  recLocal = local;
  recOif = oif;
  recNextHop = nextHop;
  recMtu = mtu;
}

/** Something on the way that the flow's later packets may not meet the same way. */
export function flowRecordSpoil(): void {
  recordOk = false;
}

/**
 * Ends the recording: keeps the way of a packet forwarded (fate `forwarded`) or delivered to a
 * socket (fate `delivered`, reason the socket kind) for its flow, or of a connection's first
 * packet dropped by a rule or a policy (`refused`: fate and reason in one word).
 */
export function flowRecordEnd(
  fate: u32,
  reason: u32,
  decision: u32,
  forwarded: u32,
  delivered: u32,
  refused: u32,
): void {
  if (!recording) return;
  recording = false;
  if (!recordOk) return;
  if (recRefusal ? (fate | (reason << 8)) !== refused : fate !== (recLocal ? delivered : forwarded)) return;
  // Without a walk after conntrack the packet's decision is its own raw walk's: not recorded.
  const wayDecision = recWalks > 0 ? decision : NO_DECISION;
  let e = flowEntry;
  // A flow recorded again (its connection's status moved on) mostly keeps its way.
  let way = e !== 0 ? load<u32>(e, W_WAY) : 0;
  if (
    way === 0 ||
    !isWay(wayRecords + <usize>(way - 1) * WAY_BYTES, fate, reason, wayDecision, recCounters, recCount)
  )
    way = internWay(fate, reason, wayDecision, recCounters, recCount);
  if (way === 0) {
    flushFlows();
    way = internWay(fate, reason, wayDecision, recCounters, recCount);
    e = 0;
  }
  const ce = entryAt(recCt);
  if (e === 0) {
    if (recRefusal) {
      // A refused flow displaces no live flow (refusedFlowWay), but counts toward the growth as
      // if it had.
      e = refusedFlowWay(kSet);
      if (e === 0 && crowded()) {
        grownSet();
        e = refusedFlowWay(kSet);
      }
      if (e === 0) return;
    } else {
      e = openWay(kSet);
      if (e === 0) {
        e = kSet + <usize>(victim & (WAYS - 1)) * ENTRY_BYTES;
        victim++;
        if (crowded()) {
          grownSet();
          e = openWay(kSet);
          if (e === 0) e = kSet + ENTRY_BYTES;
        }
      } else if (load<u32>(e, W_TAG) !== 0) {
        // A refused flow gives way, to the set's free entry if it has one.
        const free = freeWay(kSet);
        if (free !== 0) memory.copy(free, e, ENTRY_BYTES);
      }
      if (holdsRecordedFlow(e)) flowDisplaced++;
    }
  }
  store<u32>(e, kTag, W_TAG);
  store<u32>(e, kSrc, W_SRC);
  store<u32>(e, kDst, W_DST);
  store<u32>(e, kPorts, W_PORTS);
  store<u32>(e, kMark, W_MARK);
  store<u32>(e, recCt, W_CT);
  store<u32>(e, load<u32>(ce, E_ID), W_CT_ID);
  store<u32>(
    e,
    (recReadsStatus ? recDir : recDir | STATUS_ASSURED_IGNORED) | (recRefusal ? REFUSED | recNullBound : 0),
    W_DIR,
  );
  store<u32>(e, recCtinfo, W_CTINFO);
  store<u32>(e, recReadsStatus ? recStatus : recStatus & ~IPS_ASSURED, W_STATUS);
  store<u32>(e, recCtMark, W_CT_MARK);
  store<u32>(e, recGuard, W_GUARD);
  store<u32>(e, way, W_WAY);
  store<u32>(e, recOif, W_OIF);
  store<u32>(e, recNextHop, W_NEXT_HOP);
  store<u32>(e, recMtu, W_MTU);
  flowEntry = e;
}
