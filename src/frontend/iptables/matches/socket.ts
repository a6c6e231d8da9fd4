// -m socket (libxt_socket revision 3): --transparent --nowildcard --restore-skmark.

import type { SocketMatch } from '../../../ir/matches/socket.js';
import type { MatchExtension } from '../extension.js';
import { checkDirectHook, hookProblem } from '../xtables-options.js';

export const socketMatch: MatchExtension<SocketMatch> = {
  name: 'socket',
  kinds: ['socket'],
  options: [
    { name: 'transparent', arg: 'none' },
    { name: 'nowildcard', arg: 'none' },
    { name: 'restore-skmark', arg: 'none' },
  ],
  build(uses, ctx, at) {
    checkDirectHook(ctx, at, ['PREROUTING', 'INPUT'], 'the socket match');
    const has = (n: string) => uses.some((u) => u.name === n);
    return {
      kind: 'socket',
      transparent: has('transparent'),
      noWildcard: has('nowildcard'),
      restoreSocketMark: has('restore-skmark'),
    };
  },
  kernelCheck: (_m, env) => hookProblem(env.hooks, ['PREROUTING', 'INPUT'], 'the socket match'),
  save(m) {
    const parts: string[] = [];
    if (m.transparent) parts.push('--transparent');
    if (m.noWildcard) parts.push('--nowildcard');
    if (m.restoreSocketMark) parts.push('--restore-skmark');
    return parts.join(' ');
  },
};
