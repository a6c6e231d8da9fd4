// -m dst (libip6t_dst): [!] --dst-len N, --dst-opts TYPE[:LENGTH][,TYPE[:LENGTH]...].

import type { DstMatch } from '../../../ir/matches/dst.js';
import type { MatchExtension } from '../extension.js';
import { buildOpts, saveOpts } from './hbh.js';

export const dstMatch: MatchExtension<DstMatch> = {
  name: 'dst',
  kinds: ['dst'],
  families: ['ipv6'],
  options: [
    { name: 'dst-len', arg: 'required', invert: true },
    { name: 'dst-opts', arg: 'required' },
  ],
  build: (uses, ctx) => ({ kind: 'dst', ...buildOpts(uses, ctx, 'dst') }),
  save: (m) => saveOpts(m, 'dst'),
};
