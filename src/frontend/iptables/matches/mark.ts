// -m mark (libxt_mark revision 1): [!] --mark value[/mask].

import type { MarkMatch } from '../../../ir/matches/mark.js';
import { bang, type MatchExtension } from '../extension.js';
import { formatValMask, markOption } from '../xtables-options.js';

export const markMatch: MatchExtension<MarkMatch> = {
  name: 'mark',
  kinds: ['mark'],
  options: [{ name: 'mark', arg: 'required', invert: true }],
  build: (uses, ctx, at) => ({ kind: 'mark', mark: markOption(uses, ctx, 'mark', at) }),
  save: (m) => `${bang(m.mark.invert)}--mark ${formatValMask(m.mark.value)}`,
};
