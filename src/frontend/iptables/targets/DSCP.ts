// -j DSCP --set-dscp N | --set-dscp-class CLASS (libxt_DSCP.c).

import type { DscpTarget } from '../../../ir/targets/DSCP.js';
import type { TargetExtension } from '../extension.js';
import { parseUintInRange } from '../numbers.js';

/** dscp_helper.c's classes, in its order (the first whose name prefixes the argument wins). */
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
      const dscp = parseUintInRange(num.value!, 0, 63);
      if (dscp === undefined)
        ctx.error(num.valueAt, `DSCP: bad value for option "--set-dscp", or out of range (0-63).`);
      return { kind: 'DSCP', dscp: dscp! };
    }
    // class_to_dscp compares only the class name's length (strncasecmp): "EF2" is EF.
    const text = cls!.value!.toUpperCase();
    const found = CLASSES.find(([n]) => text.startsWith(n));
    if (!found) {
      ctx.error(
        cls!.valueAt,
        `Invalid DSCP value \`${cls!.value}' (expected a class: CS0-CS7, BE, AF11-AF43 or EF)`,
      );
    }
    return { kind: 'DSCP', dscp: found![1] };
  },
  save(t) {
    return `--set-dscp 0x${t.dscp.toString(16).padStart(2, '0')}`;
  },
};
