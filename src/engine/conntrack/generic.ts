// The generic tracker (generic_packet in nf_conntrack_core.c) for protocols without their own:
// addresses and protocol number only, one timeout refreshed by every packet.
//
// SCTP, DCCP and GRE have trackers of their own in the kernel (state machines and keys); they
// are not modelled and land here, which gets their tuples right (SCTP: with ports) but not
// their states or timeouts.

import type { ConnEntry } from './entry.js';
import { ACCEPT, type L4Verdict } from './l4-verdict.js';
import { IPS_FIXED_TIMEOUT } from './status.js';
import { type ConntrackSettings, seconds } from './timeouts.js';
import type { Direction } from './tuple.js';

export function genericPacket(
  entry: ConnEntry,
  dir: Direction,
  now: bigint,
  bytes: number,
  settings: ConntrackSettings,
): L4Verdict {
  entry.refresh(dir, now, seconds(settings.genericTimeout), bytes, (entry.status & IPS_FIXED_TIMEOUT) !== 0);
  return ACCEPT;
}
