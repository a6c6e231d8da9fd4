// -j CONNMARK (xt_CONNMARK connmark_tg_shift): set the connection's mark, or copy marks between
// packet and connection under masks, with an optional shift. Without a connection it does nothing.

import type { ConnmarkTarget, MarkShift } from '../../../ir/targets/CONNMARK.js';
import { CONTINUE } from '../../verdict.js';
import type { TargetExecutor } from '../target-executor.js';

function shifted(value: number, shift: MarkShift | undefined): number {
  if (!shift || shift.bits === 0) return value >>> 0;
  return (shift.direction === 'left' ? value << shift.bits : value >>> shift.bits) >>> 0;
}

export const connmarkExecutor: TargetExecutor<ConnmarkTarget> = {
  kind: 'CONNMARK',
  run(t, ctx) {
    const entry = ctx.connection;
    if (!entry) return CONTINUE;
    switch (t.mode) {
      case 'set':
        entry.mark = shifted(((entry.mark & ~t.ctmask) ^ t.value) >>> 0, t.shift);
        break;
      case 'save':
        entry.mark = ((entry.mark & ~t.ctmask) ^ shifted(ctx.packet.mark & t.nfmask, t.shift)) >>> 0;
        break;
      case 'restore':
        ctx.packet.mark = ((ctx.packet.mark & ~t.nfmask) ^ shifted(entry.mark & t.ctmask, t.shift)) >>> 0;
        break;
    }
    return CONTINUE;
  },
};
