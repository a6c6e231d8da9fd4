// -j MASQUERADE [--to-ports port[-port]] [--random] [--random-fully] (libxt_NAT.c; the port
// syntax is shared with DNAT, see DNAT.ts).

import type { MasqueradeTarget } from '../../../ir/targets/MASQUERADE.js';
import type { TargetExtension } from '../extension.js';
import { natTarget } from './DNAT.js';

export const masqueradeTarget: TargetExtension<MasqueradeTarget> = natTarget({
  name: 'MASQUERADE',
  rangeOption: 'to-ports',
  mandatory: false,
  flags: ['random', 'random-fully'],
  // The shifted-portmap flag reaches the kernel, its base does not (no room in the structure).
  offset: 'zero',
  tables: ['nat'],
  hooks: ['POSTROUTING'],
});
