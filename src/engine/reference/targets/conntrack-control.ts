// -j NOTRACK and -j CT (raw table): take the packet out of connection tracking before conntrack
// sees it. CT's helper, zone, event and timeout settings are recorded in the explanation; the
// engine has no helpers or zones yet, so a rule asking for one says so there.

import type { CtTarget } from '../../../ir/targets/CT.js';
import type { NotrackTarget } from '../../../ir/targets/NOTRACK.js';
import { CONTINUE } from '../../verdict.js';
import type { TargetExecutor } from '../target-executor.js';

export const notrackExecutor: TargetExecutor<NotrackTarget> = {
  kind: 'NOTRACK',
  run(_t, ctx) {
    ctx.untrack();
    return CONTINUE;
  },
};

export const ctExecutor: TargetExecutor<CtTarget> = {
  kind: 'CT',
  run(t, ctx) {
    if (t.notrack) {
      ctx.untrack();
      return CONTINUE;
    }
    const unmodelled = [
      t.helper && `helper ${t.helper}`,
      t.zone && `zone ${t.zone.id}`,
      t.timeout && `timeout ${t.timeout}`,
    ]
      .filter(Boolean)
      .join(', ');
    if (unmodelled) ctx.note(`CT ${unmodelled}: not modelled by nfwasm yet (no effect)`);
    return CONTINUE;
  },
};
