// Host-facing conntrack calls (exported by assembly/index.ts): set up the table from a settings
// record, and read its state (entries are read directly from linear memory by the host).

import { conntrackIn, resultCtinfo, resultDir, resultEntry, resultKind } from './core';
import { CT_NONE, ENTRY_BYTES, P_NOW } from './layout';
import { natInitialized, natNullBinding, natPacket, natSetupInfo } from './nat';
import { entryReply, sideBytes } from './nat-store';
import { prngNextU32, prngSeed } from './prng';
import { useSettings } from './settings';
import {
  confirmEntry,
  confirmedIdx,
  count,
  entries,
  entryAt,
  expire,
  initTable,
  slotHighWater,
  stats,
} from './table';

/** Sets the table up from the settings record at `settings` (kept; SETTINGS_WORDS words). */
export function ctInit(settings: usize): void {
  useSettings(settings);
  initTable();
}

/** Address of entry record 0. */
export function ctEntries(): usize {
  return entries;
}

export function ctEntryBytes(): u32 {
  return ENTRY_BYTES;
}

/** Entry records used so far (live ones have EF_USED). */
export function ctHighWater(): u32 {
  return slotHighWater();
}

/** nf_conntrack_count. */
export function ctCount(): u32 {
  return count;
}

/** Address of the stats words (found, invalid, insert, insert_failed, drop, early_drop, clash_resolve). */
export function ctStats(): usize {
  return stats;
}

/** Deletes every expired connection (ConntrackTable.expire). */
export function ctExpire(now: i64): u32 {
  return expire(now);
}

// NAT (nat.ts, nat-tuple.ts, prng.ts), one call at a time for the host's packet path.

/** new Xoshiro128ss(seed) for NAT's random draws. */
export function ctPrngSeed(seed: u32): void {
  prngSeed(seed);
}

/** Xoshiro128ss.nextU32 (for tests against the TS generator). */
export function ctPrngNext(): u32 {
  return prngNextU32();
}

/** conntrackIn for one packet record; the result is read with ctResult (kind, ctinfo, dir, entry). */
export function ctIn(pkt: usize): u32 {
  return conntrackIn(pkt, load<i64>(pkt, P_NOW));
}

/** The last ctIn's result: 0 kind, 1 ctinfo, 2 direction, 3 entry index. */
export function ctResult(field: u32): u32 {
  return field === 0 ? resultKind : field === 1 ? resultCtinfo : field === 2 ? resultDir : resultEntry;
}

/** confirm; returns the entry the packet continues with (CT_NONE: dropped). */
export function ctConfirm(idx: u32, dir: u32, now: i64): u32 {
  return confirmEntry(idx, dir, now) ? confirmedIdx : CT_NONE;
}

/** natSetupInfo with the range record at `range` (RANGE_BYTES); NAT_ACCEPT or NAT_DROP. */
export function ctNatSetup(idx: u32, range: usize, manip: u32, now: i64): u32 {
  return natSetupInfo(idx, range, manip, now);
}

/** natNullBinding. */
export function ctNatNull(idx: u32, manip: u32, now: i64): u32 {
  return natNullBinding(idx, manip, now);
}

/** natInitialized. */
export function ctNatInitialized(idx: u32, manip: u32): bool {
  return natInitialized(entryAt(idx), manip);
}

/** natPacket into the rewrite record at `out` (REWRITE_BYTES); icmpType -1 when none. */
export function ctNatPacket(idx: u32, dir: u32, hook: u32, icmpType: i32, out: usize): void {
  natPacket(idx, dir, hook, icmpType, out);
}

/** The entry's reply tuple into the tuple record at `out` (TUPLE_BYTES). */
export function ctEntryReply(idx: u32, out: usize): void {
  entryReply(entryAt(idx), out);
}

/** Bytes of IPv6 NAT side records allocated. */
export function ctNatSideBytes(): u32 {
  return <u32>sideBytes;
}
