// -j REDIRECT [--to-ports port[-port]] [--random] (libxt_NAT.c; the port syntax is shared with
// DNAT, see DNAT.ts).

import type { RedirectTarget } from '../../../ir/targets/REDIRECT.js';
import type { TargetExtension } from '../extension.js';
import { natTarget } from './DNAT.js';

export const redirectTarget: TargetExtension<RedirectTarget> = natTarget({
  name: 'REDIRECT',
  rangeOption: 'to-ports',
  mandatory: false,
  flags: ['random'],
  offset: 'refuse',
  tables: ['nat'],
  hooks: ['PREROUTING', 'OUTPUT'],
});
