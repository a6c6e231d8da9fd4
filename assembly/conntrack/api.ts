// Host-facing conntrack calls (exported by assembly/index.ts): set up the table from a settings
// record, and read its state (entries are read directly from linear memory by the host).

import { ENTRY_BYTES } from './layout';
import { useSettings } from './settings';
import { count, entries, expire, initTable, slotHighWater, stats } from './table';

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

/** Address of the stats words (found, invalid, insert, insert_failed, drop, early_drop). */
export function ctStats(): usize {
  return stats;
}

/** Deletes every expired connection (ConntrackTable.expire). */
export function ctExpire(now: i64): u32 {
  return expire(now);
}
