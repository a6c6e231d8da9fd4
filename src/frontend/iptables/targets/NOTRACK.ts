// -j NOTRACK: iptables loads it as the CT target (revision 2) with XT_CT_NOTRACK and the
// NOTRACK alias flag, which makes iptables-save print it back as `-j NOTRACK`. No options.

import type { NotrackTarget } from '../../../ir/targets/NOTRACK.js';
import type { TargetExtension } from '../extension.js';

export const notrackTarget: TargetExtension<NotrackTarget> = {
  name: 'NOTRACK',
  kinds: ['NOTRACK'],
  // xt_CT: .table = "raw".
  tables: ['raw'],
  options: [],
  build: () => ({ kind: 'NOTRACK' }),
  save: () => '',
};
