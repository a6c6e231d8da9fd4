// -m dscp [!] --dscp VALUE | [!] --dscp-class CLASS (libxt_dscp).

import type { DscpMatch } from '../../../ir/matches/dscp.js';
import type { MatchExtension } from '../extension.js';
import { DSCP_CLASSES, dscpClass, hex2 } from '../tos-dscp.js';
import { uintOption } from '../xtables-options.js';

export const dscpMatch: MatchExtension<DscpMatch> = {
  name: 'dscp',
  kinds: ['dscp'],
  options: [
    { name: 'dscp', arg: 'required', invert: true },
    { name: 'dscp-class', arg: 'required', invert: true },
  ],
  build(uses, ctx, at) {
    if (uses.length === 0) ctx.error(at, 'DSCP match: Parameter --dscp is required');
    if (uses.length > 1) {
      ctx.error(uses[1]!.at, 'dscp: option "--dscp" cannot be used together with "--dscp-class"');
    }
    const use = uses[0]!;
    let dscp: number;
    if (use.name === 'dscp') dscp = uintOption(use, ctx, 'dscp', 0, 0x3f);
    else {
      const cls = dscpClass(use.value!);
      if (cls === undefined) {
        ctx.error(
          use.valueAt,
          `Invalid DSCP value \`${use.value}' (expected a class: ${DSCP_CLASSES.map(([n]) => n).join(', ')})`,
        );
      }
      dscp = cls!;
    }
    return { kind: 'dscp', dscp, invert: use.invert };
  },
  save: (m) => `${m.invert ? '! ' : ''}--dscp ${hex2(m.dscp)}`,
};
