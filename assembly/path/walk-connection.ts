// The walked packet's connection as the packet path tells the walks (facts() in receive.ts):
// its entry, ctinfo and conntrack kind. CONNMARK and connlimit read it; the bare classifier
// never sets it, so both are left undecided there.

import { CT_NONE } from '../conntrack/layout';

/** The walked packet's connection (CT_NONE: none); meaningful once the path has set it. */
let walkEntry: u32 = CT_NONE;
let walkEntryKnown: bool = false;
let walkInfo: u32 = 0;
let walkKind: u32 = 0;

/**
 * The packet path's connection for the walks to come (CT_NONE when untracked or invalid), with
 * the packet's ctinfo and conntrack kind (K_*, or none).
 */
export function setWalkConnection(entry: u32, info: u32, kind: u32): void {
  walkEntry = entry;
  walkEntryKnown = true;
  walkInfo = info;
  walkKind = kind;
}

/** Whether the packet path told the walk its connection. */
export function walkConnectionKnown(): bool {
  return walkEntryKnown;
}

/** The walked packet's connection as the path set it (CT_NONE: none, or not the packet path). */
export function walkConnection(): u32 {
  return walkEntryKnown ? walkEntry : CT_NONE;
}

/** The walked packet's ctinfo (meaningful with a connection). */
export function walkConnectionInfo(): u32 {
  return walkInfo;
}

/** The walked packet's conntrack kind (K_TRACKED, K_INVALID, K_UNTRACKED, or none). */
export function walkConnectionKind(): u32 {
  return walkKind;
}
