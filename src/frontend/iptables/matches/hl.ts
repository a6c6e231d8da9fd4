// -m hl (libip6t_hl): --hl-eq [!], --hl-lt, --hl-gt, and the old --hl (= --hl-eq).

import type { HlMatch } from '../../../ir/matches/hl.js';
import type { MatchExtension } from '../extension.js';
import { comparisonOptions, parseComparison } from './ttl.js';

const SAVE: Record<HlMatch['op'], string> = { eq: '--hl-eq', ne: '! --hl-eq', lt: '--hl-lt', gt: '--hl-gt' };

export const hlMatch: MatchExtension<HlMatch> = {
  name: 'hl',
  kinds: ['hl'],
  families: ['ipv6'],
  options: comparisonOptions('hl'),
  build(uses, ctx, at) {
    return { kind: 'hl', ...parseComparison(uses, ctx, at, 'hl', 'hl', 'HL') };
  },
  save: (m) => `${SAVE[m.op]} ${m.value}`,
};
