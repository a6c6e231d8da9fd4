// -j NOTRACK (raw table, src/engine/reference/targets/conntrack-control.ts): the packet leaves
// connection tracking before conntrack sees it; later rules see it UNTRACKED and the path's
// conntrack step passes it by. Run only where the path allows it: a packet with no connection
// yet, not tied to one (nf_ct_attach, looped back) — elsewhere the walk leaves it undecided.

import { writeFactsFor } from '../conntrack/batch';
import { CT_NONE, K_UNTRACKED } from '../conntrack/layout';
import { ct } from '../ops';

let allowed: bool = false;
/** NOTRACK ran in the last walk: the path marks the packet untracked. */
let requested: bool = false;

/** Before a walk of the packet path: whether NOTRACK may run in it. */
export function allowNotrack(on: bool): void {
  allowed = on;
  requested = false;
}

export function notrackRuns(): bool {
  return allowed;
}

export function notrackTarget(): void {
  requested = true;
  // The facts as for an untracked packet, for the state tests later in this walk.
  writeFactsFor(ct, K_UNTRACKED, 0, 0, CT_NONE, 0);
}

/** Whether the last walk ran NOTRACK (cleared by the next allowNotrack). */
export function notrackRequested(): bool {
  return requested;
}
