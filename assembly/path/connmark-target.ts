// -j CONNMARK (xt_CONNMARK connmark_tg_shift, src/engine/reference/targets/connmark.ts): the
// connection's mark set, or marks copied between packet and connection under masks and a shift.
// Only the packet path knows the connection, so the bare classifier leaves the target undecided.

import { CT_NONE, E_MARK } from '../conntrack/layout';
import { entryAt } from '../conntrack/table';
import { ct } from '../ops';
import { fields, P_MARK } from '../packet';
import { params } from '../table';
import { walkConnection, walkConnectionKnown } from './walk-connection';

/** Whether CONNMARK can run here: the path told the walk its connection. */
export function connmarkRuns(): bool {
  return walkConnectionKnown();
}

// Params: mode (0 set, 1 save, 2 restore), value or nfmask, ctmask, shift present, direction
// (0 left, 1 right), bits.
function shifted(v: u32, p: usize): u32 {
  if (load<u32>(p, 12) === 0) return v;
  const bits = load<u32>(p, 20);
  if (bits === 0) return v;
  return load<u32>(p, 16) === 0 ? v << bits : v >>> bits;
}

/** CONNMARK with parameters at word `at`; without a connection it does nothing. */
export function connmarkTarget(at: u32): void {
  // The facts' entry word (ops.ts ct) says whether the packet has a connection.
  const walkEntry = walkConnection();
  if (walkEntry === CT_NONE || load<u32>(ct) === 0) return;
  const p = params + ((<usize>at) << 2);
  const e = entryAt(walkEntry);
  const mode = load<u32>(p);
  const ctmask = load<u32>(p, 8);
  const m = fields + ((<usize>P_MARK) << 2);
  const ctMark = load<u32>(e, E_MARK);
  if (mode === 2) {
    const nfmask = load<u32>(p, 4);
    store<u32>(m, (load<u32>(m) & ~nfmask) ^ shifted(ctMark & ctmask, p));
    return;
  }
  const next =
    mode === 0
      ? shifted((ctMark & ~ctmask) ^ load<u32>(p, 4), p)
      : (ctMark & ~ctmask) ^ shifted(load<u32>(m) & load<u32>(p, 4), p);
  store<u32>(e, next, E_MARK);
  // The facts' copy of the mark, for connmark tests later in this walk.
  store<u32>(ct, next, 20);
}
