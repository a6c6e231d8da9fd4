// -m rpfilter (libxt_rpfilter): --loose --validmark --accept-local --invert.

import type { RpfilterMatch } from '../../../ir/matches/rpfilter.js';
import type { MatchExtension } from '../extension.js';
import { checkDirectHook, hookProblem } from '../xtables-options.js';

export const rpfilterMatch: MatchExtension<RpfilterMatch> = {
  name: 'rpfilter',
  kinds: ['rpfilter'],
  options: [
    { name: 'loose', arg: 'none' },
    { name: 'validmark', arg: 'none' },
    { name: 'accept-local', arg: 'none' },
    { name: 'invert', arg: 'none' },
  ],
  build(uses, ctx, at) {
    if (ctx.table !== 'raw' && ctx.table !== 'mangle')
      ctx.error(
        at,
        `the rpfilter match is only valid in the raw and mangle tables, not ${ctx.table} (the kernel refuses it)`,
      );
    checkDirectHook(ctx, at, ['PREROUTING'], 'the rpfilter match');
    const has = (n: string) => uses.some((u) => u.name === n);
    return {
      kind: 'rpfilter',
      loose: has('loose'),
      validMark: has('validmark'),
      acceptLocal: has('accept-local'),
      invert: has('invert'),
    };
  },
  kernelCheck: (_m, env) => hookProblem(env.hooks, ['PREROUTING'], 'the rpfilter match'),
  save(m) {
    const parts: string[] = [];
    if (m.loose) parts.push('--loose');
    if (m.validMark) parts.push('--validmark');
    if (m.acceptLocal) parts.push('--accept-local');
    if (m.invert) parts.push('--invert');
    return parts.join(' ');
  },
};
