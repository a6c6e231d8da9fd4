// -j NFQUEUE: hands the packet to a userspace program. nfwasm has none, so the kernel's answer
// for "nobody listens" applies: drop, or with --queue-bypass carry on as if accepted.

import type { NfqueueTarget } from '../../../ir/targets/NFQUEUE.js';
import { ACCEPT, DROP } from '../../verdict.js';
import type { TargetExecutor } from '../target-executor.js';

export const nfqueueExecutor: TargetExecutor<NfqueueTarget> = {
  kind: 'NFQUEUE',
  run(t, ctx) {
    ctx.note(`NFQUEUE ${t.queue}: no program listens${t.bypass ? ' (bypassed)' : ''}`);
    return t.bypass ? ACCEPT : DROP;
  },
};
