// -m cpu (libxt_cpu): [!] --cpu N.

import type { CpuMatch } from '../../../ir/matches/cpu.js';
import { bang, type MatchExtension } from '../extension.js';
import { xtStrtoul } from './mark.js';

export const cpuMatch: MatchExtension<CpuMatch> = {
  name: 'cpu',
  kinds: ['cpu'],
  options: [{ name: 'cpu', arg: 'required', invert: true }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'cpu');
    if (!use) ctx.error(at, 'cpu: option "--cpu" must be specified');
    const r = xtStrtoul(use!.value!, 0n, 0xffffffffn);
    if (r?.rest !== '')
      ctx.error(use!.valueAt, 'cpu: bad value for option "--cpu", or out of range (0-4294967295).');
    return { kind: 'cpu', cpu: { value: Number(r!.value), invert: use!.invert } };
  },
  save: (m) => `${bang(m.cpu.invert)}--cpu ${m.cpu.value}`,
};
