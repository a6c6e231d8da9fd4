// -m cpu (libxt_cpu): [!] --cpu N.

import type { CpuMatch } from '../../../ir/matches/cpu.js';
import { bang, type MatchExtension } from '../extension.js';
import { uintOption } from '../xtables-options.js';

export const cpuMatch: MatchExtension<CpuMatch> = {
  name: 'cpu',
  kinds: ['cpu'],
  options: [{ name: 'cpu', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'cpu');
    if (!use) ctx.error(at, 'cpu: option "--cpu" must be specified');
    return { kind: 'cpu', cpu: { value: uintOption(use!, ctx, 'cpu', 0, 0xffffffff), invert: use!.invert } };
  },
  save: (m) => `${bang(m.cpu.invert)}--cpu ${m.cpu.value}`,
};
