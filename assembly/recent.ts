// -m recent (xt_recent.c recent_mt) as src/engine/reference/matches/recent.ts keeps it: lists
// shared by name, each of ip_list_tot = 100 masked addresses in LRU order (the least recently
// set or updated first), each address with the times (jiffies at HZ 1000) of its last RING hits.
// The reference keeps up to 65536 stamps, but a check only reads the newest --hitcount of them,
// so a ring of RING answers every rule with --hitcount <= RING exactly; a larger one, --rttl
// (the hook's TTL view) and IPv6 are left to the host (UNDECIDED).
//
// Only the packet path runs it (it needs packet time), where an undecided walk abandons the
// whole run, so the lists' changes need no journal.

import { NO, STATE_SLOT_BYTES, UNDECIDED, X_RECENT, YES } from './layout';
import { alloc } from './memory';
import { fields, P_DST, P_SRC } from './packet';
import { ipv6, stateSlotCount, stateSlots } from './table';

const IP_LIST_TOT: u32 = 100;
const RING: u32 = 32;
/** XT_RECENT_MAX_NSTAMPS: the reference's count of stamps stops here. */
const MAX_NSTAMPS: u32 = 65536;
const HZ: i64 = 1000;

const SET: u32 = 0;
const UPDATE: u32 = 2;
const REMOVE: u32 = 3;

// List: count, mask, mask set, pad; then the LRU order of entry positions (live ones first,
// free ones after); then the entries.
const L_COUNT: usize = 0;
const L_MASK: usize = 4;
const L_MASKED: usize = 8;
const L_ORDER: usize = 16;
const L_ENTRIES: usize = L_ORDER + <usize>IP_LIST_TOT * 4;
// Entry: masked address, stamps counted (to MAX_NSTAMPS), ring write position, pad, newest
// stamp, then the ring.
const E_ADDR: usize = 0;
const E_TOTAL: usize = 4;
const E_NEXT: usize = 8;
const E_LATEST: usize = 16;
const E_RING: usize = 24;
const ENTRY_BYTES: usize = E_RING + <usize>RING * 8;
const LIST_BYTES: usize = L_ENTRIES + <usize>IP_LIST_TOT * ENTRY_BYTES;

/** Per state slot: its list's address (0 for other kinds). */
let listOf: usize = 0;

/** One list per name (STATE_SLOTS word 3) among the recent slots. */
export function initRecentLists(): void {
  listOf = alloc(<usize>stateSlotCount * 4);
  for (let i: u32 = 0; i < stateSlotCount; i++) {
    const rec = stateSlots + <usize>i * STATE_SLOT_BYTES;
    if (load<u32>(rec) !== X_RECENT) continue;
    let list: usize = 0;
    for (let j: u32 = 0; j < i && list === 0; j++) {
      const other = stateSlots + <usize>j * STATE_SLOT_BYTES;
      if (load<u32>(other) === X_RECENT && load<u32>(other, 12) === load<u32>(rec, 12))
        list = load<u32>(listOf + ((<usize>j) << 2));
    }
    if (list === 0) list = alloc(LIST_BYTES);
    store<u32>(listOf + ((<usize>i) << 2), <u32>list);
  }
  resetRecentLists();
}

/** Every list empty, its mask not yet taken from a rule. */
export function resetRecentLists(): void {
  for (let i: u32 = 0; i < stateSlotCount; i++) {
    const list = <usize>load<u32>(listOf + ((<usize>i) << 2));
    if (list === 0) continue;
    memory.fill(list, 0, L_ENTRIES);
    for (let k: u32 = 0; k < IP_LIST_TOT; k++) store<u32>(list + L_ORDER + ((<usize>k) << 2), k);
  }
}

function orderAt(list: usize, k: u32): u32 {
  return load<u32>(list + L_ORDER + ((<usize>k) << 2));
}

function entryAt(list: usize, pos: u32): usize {
  return list + L_ENTRIES + <usize>pos * ENTRY_BYTES;
}

/** Takes the entry at LRU index k out; its position joins the free ones. */
function removeAt(list: usize, k: u32): void {
  const count = load<u32>(list, L_COUNT);
  const pos = orderAt(list, k);
  const at = list + L_ORDER + ((<usize>k) << 2);
  memory.copy(at, at + 4, (<usize>(count - 1 - k)) << 2);
  store<u32>(list + L_ORDER + ((<usize>(count - 1)) << 2), pos);
  store<u32>(list, count - 1, L_COUNT);
}

/** Moves the entry at position `pos` to the LRU tail (recent_entry_update). */
function toTail(list: usize, pos: u32): void {
  const count = load<u32>(list, L_COUNT);
  let k: u32 = 0;
  while (orderAt(list, k) !== pos) k++;
  const at = list + L_ORDER + ((<usize>k) << 2);
  memory.copy(at, at + 4, (<usize>(count - 1 - k)) << 2);
  store<u32>(list + L_ORDER + ((<usize>(count - 1)) << 2), pos);
}

function addStamp(e: usize, now: i64): void {
  const next = load<u32>(e, E_NEXT);
  store<i64>(e + E_RING + ((<usize>next) << 3), now);
  store<u32>(e, (next + 1) % RING, E_NEXT);
  const total = load<u32>(e, E_TOTAL);
  if (total < MAX_NSTAMPS) store<u32>(e, total + 1, E_TOTAL);
  store<i64>(e, now, E_LATEST);
}

/** At least `need` (<= RING) stamps at or after `since`; without a window, at least `need` at all. */
function enoughHits(e: usize, windowed: bool, since: i64, need: u32): bool {
  const total = load<u32>(e, E_TOTAL);
  if (!windowed) return total >= need;
  const n = total < RING ? total : RING;
  const next = load<u32>(e, E_NEXT);
  let hits: u32 = 0;
  for (let k: u32 = 0; k < n; k++) {
    const stamp = load<i64>(e + E_RING + ((<usize>((next + RING - 1 - k) % RING)) << 3));
    if (stamp < since) break;
    if (++hits >= need) return true;
  }
  return false;
}

/** recent_mt for state slot `slot`, parameters at `p` (the recent codec's order), at jiffies `now`. */
export function recentHolds(slot: u32, p: usize, now: i64): u32 {
  const command = load<u32>(p);
  const invert = load<u32>(p, 4) !== 0;
  let q = p + 8;
  let seconds: u32 = 0;
  if (load<u32>(q) !== 0) {
    seconds = load<u32>(q, 4);
    q += 4;
  }
  q += 4;
  const reap = load<u32>(q) !== 0;
  q += 4;
  let hitCount: u32 = 0;
  if (load<u32>(q) !== 0) {
    hitCount = load<u32>(q, 4);
    q += 4;
  }
  q += 4;
  const rttl = load<u32>(q) !== 0;
  const side = load<u32>(q, 8);
  const maskWords = load<u32>(q, 12);
  const need = hitCount > 1 ? hitCount : 1;
  if (rttl || ipv6 || need > RING) return UNDECIDED;

  const list = <usize>load<u32>(listOf + ((<usize>slot) << 2));
  // The list's mask is that of the first rule to evaluate it (recent_mt_check).
  if (load<u32>(list, L_MASKED) === 0) {
    store<u32>(list, maskWords > 0 ? load<u32>(q, 16) : 0xffffffff, L_MASK);
    store<u32>(list, 1, L_MASKED);
  }
  const addr = load<u32>(fields + ((<usize>(side === 1 ? P_DST : P_SRC)) << 2)) & load<u32>(list, L_MASK);
  const count = load<u32>(list, L_COUNT);
  let k: u32 = 0;
  while (k < count && load<u32>(entryAt(list, orderAt(list, k)), E_ADDR) !== addr) k++;

  let ret = invert;
  if (k === count) {
    if (command !== SET) return ret ? YES : NO;
    if (count >= IP_LIST_TOT) removeAt(list, 0);
    const n = load<u32>(list, L_COUNT);
    const pos = orderAt(list, n);
    store<u32>(list, n + 1, L_COUNT);
    const e = entryAt(list, pos);
    store<u32>(e, addr, E_ADDR);
    store<u32>(e, 0, E_TOTAL);
    store<u32>(e, 0, E_NEXT);
    addStamp(e, now);
    return !ret ? YES : NO;
  }
  const pos = orderAt(list, k);
  const e = entryAt(list, pos);
  if (command === SET) ret = !ret;
  else if (command === REMOVE) {
    removeAt(list, k);
    ret = !ret;
  } else {
    // --seconds is compared as jiffies - (u32)(seconds * HZ).
    const since = now - <i64>(<u32>(<u64>seconds * <u64>HZ));
    if (enoughHits(e, seconds !== 0, since, need)) ret = !ret;
    if (reap) {
      // recent_entry_reap: only the LRU head, never the entry about to be refreshed.
      const headPos = orderAt(list, 0);
      const refreshing = command === UPDATE && ret;
      if (!(headPos === pos && refreshing) && load<i64>(entryAt(list, headPos), E_LATEST) < since)
        removeAt(list, 0);
    }
  }
  if (command === SET || (command === UPDATE && ret)) {
    addStamp(e, now);
    toTail(list, pos);
  }
  return ret ? YES : NO;
}
