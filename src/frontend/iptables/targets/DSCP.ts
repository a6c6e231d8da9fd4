// -j DSCP --set-dscp N | --set-dscp-class CLASS (libxt_DSCP.c).

import type { DscpTarget } from '../../../ir/targets/DSCP.js';
import type { TargetExtension } from '../extension.js';
import { dscpClass, hex2 } from '../tos-dscp.js';
import { uintOption } from '../xtables-options.js';

export const dscpTarget: TargetExtension<DscpTarget> = {
  name: 'DSCP',
  kinds: ['DSCP'],
  tables: ['mangle'],
  options: [
    { name: 'set-dscp', arg: 'required' },
    { name: 'set-dscp-class', arg: 'required' },
  ],
  build(uses, ctx, at) {
    const num = uses.find((u) => u.name === 'set-dscp');
    const cls = uses.find((u) => u.name === 'set-dscp-class');
    if (!num && !cls) ctx.error(at, 'DSCP target: Parameter --set-dscp (or --set-dscp-class) is required');
    if (num && cls) {
      const later = uses.indexOf(num) < uses.indexOf(cls) ? cls : num;
      ctx.error(later.at, 'DSCP: option "--set-dscp" cannot be used together with "--set-dscp-class".');
    }
    if (num) {
      return { kind: 'DSCP', dscp: uintOption(num, ctx, 'DSCP', 0, 63) };
    }
    const found = dscpClass(cls!.value!);
    if (found === undefined) {
      ctx.error(
        cls!.valueAt,
        `Invalid DSCP value \`${cls!.value}' (expected a class: CS0-CS7, BE, AF11-AF43 or EF)`,
      );
    }
    return { kind: 'DSCP', dscp: found! };
  },
  save(t) {
    return `--set-dscp ${hex2(t.dscp)}`;
  },
};
