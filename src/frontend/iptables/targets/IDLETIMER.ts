// -j IDLETIMER --timeout SECONDS --label NAME [--alarm] (libxt_IDLETIMER revision 1 as
// iptables 1.8.9 knows it: no --send_nl_msg). iptables-save prints the label bare.

import type { IdletimerTarget } from '../../../ir/targets/IDLETIMER.js';
import type { TargetExtension } from '../extension.js';
import { U32_MAX } from '../numbers.js';
import { truncateBytes, uintOption } from '../xtables-options.js';

const LABEL_SIZE = 28; // MAX_IDLETIMER_LABEL_SIZE
const TIMEOUT_LIMIT = Math.floor(0x7fffffff / 1000); // kernel: timeout < INT_MAX / 1000

export const idletimerTarget: TargetExtension<IdletimerTarget> = {
  name: 'IDLETIMER',
  kinds: ['IDLETIMER'],
  options: [
    { name: 'timeout', arg: 'required' },
    { name: 'label', arg: 'required' },
    { name: 'alarm', arg: 'none' },
  ],
  build(uses, ctx, at) {
    const t = uses.find((u) => u.name === 'timeout');
    const l = uses.find((u) => u.name === 'label');
    const timeout = t ? uintOption(t, ctx, 'IDLETIMER', 0, U32_MAX, 'bare') : undefined;
    if (!t) ctx.error(at, 'IDLETIMER: option "--timeout" must be specified');
    if (!l) ctx.error(at, 'IDLETIMER: option "--label" must be specified');
    const label = truncateBytes(l!.value!, LABEL_SIZE);
    // idletimer_tg_checkentry: 0 < timeout < INT_MAX/1000; the label names a sysfs file.
    if (timeout === 0 || timeout! >= TIMEOUT_LIMIT) {
      ctx.error(
        t!.valueAt,
        `IDLETIMER: the kernel refuses timeout ${timeout} (expected 1-${TIMEOUT_LIMIT - 1})`,
      );
    }
    if (label === '' || label === 'power' || label.includes('/')) {
      ctx.error(l!.valueAt, `IDLETIMER: the kernel refuses the label "${label}" (it names a sysfs file)`);
    }
    return { kind: 'IDLETIMER', timeout: timeout!, label, alarm: uses.some((u) => u.name === 'alarm') };
  },
  save: (t) => `--timeout ${t.timeout} --label ${t.label}${t.alarm ? ' --alarm' : ''}`,
};
