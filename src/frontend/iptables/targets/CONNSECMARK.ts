// -j CONNSECMARK --save | --restore (libxt_CONNSECMARK).

import type { ConnsecmarkTarget } from '../../../ir/targets/CONNSECMARK.js';
import type { TargetExtension } from '../extension.js';
import { exclusive } from '../xtables-options.js';

export const connsecmarkTarget: TargetExtension<ConnsecmarkTarget> = {
  name: 'CONNSECMARK',
  kinds: ['CONNSECMARK'],
  // xt_CONNSECMARK checkentry: only in the mangle or security table.
  tables: ['mangle', 'security'],
  options: [
    { name: 'save', arg: 'none' },
    { name: 'restore', arg: 'none' },
  ],
  build(uses, ctx, at) {
    const last = uses.at(-1);
    if (!last) ctx.error(at, 'CONNSECMARK target: parameter required (--save or --restore)');
    exclusive(uses, ['save', 'restore'], ctx, 'CONNSECMARK');
    return { kind: 'CONNSECMARK', mode: last!.name === 'save' ? 'save' : 'restore' };
  },
  save: (t) => `--${t.mode}`,
};
