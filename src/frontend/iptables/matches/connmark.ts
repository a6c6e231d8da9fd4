// -m connmark (libxt_connmark revision 1): [!] --mark value[/mask].

import type { ConnmarkMatch } from '../../../ir/matches/connmark.js';
import { bang, type MatchExtension } from '../extension.js';
import { formatValMask, markOption } from '../xtables-options.js';

export const connmarkMatch: MatchExtension<ConnmarkMatch> = {
  name: 'connmark',
  kinds: ['connmark'],
  options: [{ name: 'mark', arg: 'required', invert: true }],
  build: (uses, ctx, at) => ({ kind: 'connmark', mark: markOption(uses, ctx, 'connmark', at) }),
  save: (m) => `${bang(m.mark.invert)}--mark ${formatValMask(m.mark.value)}`,
};
