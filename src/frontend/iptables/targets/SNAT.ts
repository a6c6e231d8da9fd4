// -j SNAT --to-source [addr[-addr]][:port[-port]] [--random] [--random-fully] [--persistent]
// (libxt_NAT.c; the syntax is shared with DNAT, see DNAT.ts).

import type { SnatTarget } from '../../../ir/targets/SNAT.js';
import type { TargetExtension } from '../extension.js';
import { natTarget } from './DNAT.js';

export const snatTarget: TargetExtension<SnatTarget> = natTarget({
  name: 'SNAT',
  rangeOption: 'to-source',
  mandatory: true,
  flags: ['random', 'random-fully', 'persistent'],
  // IPv4 revision 0 and IPv6 revision 1 keep the shifted-portmap flag but not its base.
  offset: 'zero',
  tables: ['nat'],
  hooks: ['POSTROUTING', 'INPUT'],
});
