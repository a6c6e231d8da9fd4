// What a bridge learns (src/engine/reference/bridge.ts): its forwarding database — the port each
// unicast source MAC was last received on (br_fdb_update), aged out after 300 s — and, for the
// host's own packets routed onto the bridge, the MAC an IPv4 address last sent from, falling
// back to `ip neigh` (the neighbour table the kernel fills by ARP, which is not modelled). Both
// are open-addressed tables that only grow, as the reference engine's maps do; a full table
// makes the frame UNSUPPORTED.

import { fmix32, hashWord } from '../hash-mix';
import { alloc } from '../memory';
import { anyBridge, isBridge, isGroupMac, macOf, NO_MAC } from './bridge-topology';

const AGEING_NS: i64 = 300 * 1_000_000_000;
const SLOTS: u32 = 1 << 14;
/** FDB slot: key (bridge << 48 | MAC; 0 empty), port, 0, updated (ns). */
const FDB_SLOT: usize = 24;
/** Neighbour slot: key (bridge << 32 | IPv4; 0 empty), MAC. */
const NEIGH_SLOT: usize = 16;
/** bridgeEgress's answer for a bridge without a known port: every port (br_flood). */
export const PORT_FLOOD: u32 = 0xffffffff;

let fdb: usize = 0;
let neighbours: usize = 0;
/** The time of the frame being processed (the entries' age). */
let clock: i64 = 0;

function slotOf(key: u64): u32 {
  // Fibonacci hashing on both halves (a 64-bit constant does not survive the linter).
  return fmix32(hashWord(<u32>key, <u32>(key >> 32))) & (SLOTS - 1);
}

/** Allocates the tables (for a host with bridges) and writes the static neighbours (`count` records at `p`). */
export function installFdb(p: usize): void {
  if (!anyBridge) return;
  const count = load<u32>(p);
  fdb = alloc(<usize>SLOTS * FDB_SLOT);
  neighbours = alloc(<usize>SLOTS * NEIGH_SLOT);
  for (let i: u32 = 0; i < count; i++) {
    const e = p + 4 + <usize>i * 16;
    setNeighbour(load<u32>(e), load<u32>(e, 4), macOf(load<u32>(e, 8), load<u32>(e, 12)));
  }
}

export function fdbClock(now: i64): void {
  clock = now;
}

/** The FDB slot holding `key`, or the empty one where it would go; 0 when the table is full. */
function fdbSlot(key: u64): usize {
  let i = slotOf(key);
  for (let n: u32 = 0; n < SLOTS; n++) {
    const s = fdb + <usize>i * FDB_SLOT;
    const k = load<u64>(s);
    if (k === key || k === 0) return s;
    i = (i + 1) & (SLOTS - 1);
  }
  return 0;
}

/** br_fdb_update: a unicast, non-zero source MAC is (re)learned on `port`; false when full. */
export function fdbLearn(bridge: u32, port: u32, mac: u64): bool {
  if (isGroupMac(mac) || mac === 0) return true;
  const key = ((<u64>bridge) << 48) | mac;
  const s = fdbSlot(key);
  if (s === 0) return false;
  store<u64>(s, key);
  store<u32>(s, port, 8);
  store<i64>(s, clock, 16);
  return true;
}

/** br_fdb_find_rcu: the port `mac` was learned on, unless aged out; 0 when unknown. */
export function fdbPort(bridge: u32, mac: u64): u32 {
  const key = ((<u64>bridge) << 48) | mac;
  const s = fdbSlot(key);
  if (s === 0 || load<u64>(s) !== key) return 0;
  return clock - load<i64>(s, 16) <= AGEING_NS ? load<u32>(s, 8) : 0;
}

function neighbourSlot(key: u64): usize {
  let i = slotOf(key);
  for (let n: u32 = 0; n < SLOTS; n++) {
    const s = neighbours + <usize>i * NEIGH_SLOT;
    const k = load<u64>(s);
    if (k === key || k === 0) return s;
    i = (i + 1) & (SLOTS - 1);
  }
  return 0;
}

function setNeighbour(bridge: u32, ipv4: u32, mac: u64): bool {
  const key = ((<u64>bridge) << 32) | <u64>ipv4;
  const s = neighbourSlot(key);
  if (s === 0) return false;
  store<u64>(s, key);
  store<u64>(s, mac, 8);
  return true;
}

/** `ipv4` sent from `mac` on the bridge (a group MAC says nothing); false when full. */
export function sawAddress(bridge: u32, ipv4: u32, mac: u64): bool {
  return isGroupMac(mac) || setNeighbour(bridge, ipv4, mac);
}

/** The MAC the host sends to for `ipv4` on the bridge (as heard from it, else `ip neigh`). */
export function neighbourMac(bridge: u32, ipv4: u32): u64 {
  const key = ((<u64>bridge) << 32) | <u64>ipv4;
  const s = neighbourSlot(key);
  return s !== 0 && load<u64>(s) === key ? load<u64>(s, 8) : NO_MAC;
}

/**
 * br_dev_xmit for a routed packet out of `oif` to `nextHop`: 0 when `oif` is no bridge, the
 * port the FDB knows for the next hop's MAC, else PORT_FLOOD.
 */
export function bridgeEgress(oif: u32, nextHop: u32): u32 {
  if (!isBridge(oif)) return 0;
  const mac = neighbourMac(oif, nextHop);
  const port = mac === NO_MAC ? 0 : fdbPort(oif, mac);
  return port !== 0 ? port : PORT_FLOOD;
}
