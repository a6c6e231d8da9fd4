// -m dscp [!] --dscp VALUE | [!] --dscp-class CLASS (libxt_dscp).

import type { DscpMatch } from '../../../ir/matches/dscp.js';
import type { MatchExtension } from '../extension.js';
import { xtUint } from './length.js';

/** dscp_helper.c ds_classes, in its order (the first class the argument starts with wins). */
const CLASSES: readonly (readonly [string, number])[] = [
  ['CS0', 0x00],
  ['CS1', 0x08],
  ['CS2', 0x10],
  ['CS3', 0x18],
  ['CS4', 0x20],
  ['CS5', 0x28],
  ['CS6', 0x30],
  ['CS7', 0x38],
  ['BE', 0x00],
  ['AF11', 0x0a],
  ['AF12', 0x0c],
  ['AF13', 0x0e],
  ['AF21', 0x12],
  ['AF22', 0x14],
  ['AF23', 0x16],
  ['AF31', 0x1a],
  ['AF32', 0x1c],
  ['AF33', 0x1e],
  ['AF41', 0x22],
  ['AF42', 0x24],
  ['AF43', 0x26],
  ['EF', 0x2e],
];

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
    if (use.name === 'dscp') dscp = xtUint(use, ctx, 'dscp', 0, 0x3f);
    else {
      const upper = use.value!.toUpperCase();
      const cls = CLASSES.find(([name]) => upper.startsWith(name));
      if (!cls) {
        ctx.error(
          use.valueAt,
          `Invalid DSCP value \`${use.value}' (expected a class: ${CLASSES.map(([n]) => n).join(', ')})`,
        );
      }
      dscp = cls![1];
    }
    return { kind: 'dscp', dscp, invert: use.invert };
  },
  save: (m) => `${m.invert ? '! ' : ''}--dscp 0x${m.dscp.toString(16).padStart(2, '0')}`,
};
