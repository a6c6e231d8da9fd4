// -j MARK (xt_MARK mark_tg): skb->mark = (mark & ~mask) ^ value; the traversal continues.

import type { MarkTarget } from '../../../ir/targets/MARK.js';
import { CONTINUE } from '../../verdict.js';
import type { TargetExecutor } from '../target-executor.js';

export const markExecutor: TargetExecutor<MarkTarget> = {
  kind: 'MARK',
  run(t, ctx) {
    ctx.packet.mark = ((ctx.packet.mark & ~t.mask) ^ t.value) >>> 0;
    return CONTINUE;
  },
};
