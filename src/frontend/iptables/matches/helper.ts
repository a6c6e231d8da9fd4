// -m helper (libxt_helper): [!] --helper NAME.

import type { HelperMatch } from '../../../ir/matches/helper.js';
import { bang, type MatchExtension } from '../extension.js';
import { saveString } from '../printer.js';

const NAME_MAX = 29; // char name[30], copied with strncpy and cut silently

export const helperMatch: MatchExtension<HelperMatch> = {
  name: 'helper',
  kinds: ['helper'],
  options: [{ name: 'helper', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'helper');
    if (!use) ctx.error(at, 'helper: option "--helper" must be specified');
    const bytes = Buffer.from(use!.value!);
    const name = bytes.length > NAME_MAX ? bytes.subarray(0, NAME_MAX).toString() : use!.value!;
    return { kind: 'helper', name: { value: name, invert: use!.invert } };
  },
  save: (m) => `${bang(m.name.invert)}--helper ${saveString(m.name.value)}`,
};
