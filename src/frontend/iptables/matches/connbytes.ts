// -m connbytes (libxt_connbytes): [!] --connbytes FROM[:TO] --connbytes-dir DIR
// --connbytes-mode MODE.

import type { ConnbytesMatch } from '../../../ir/matches/connbytes.js';
import type { MatchExtension } from '../extension.js';
import { U64_MAX } from '../numbers.js';
import { uintRangeOption } from '../xtables-options.js';

const DIRS = ['original', 'reply', 'both'] as const;
const MODES = ['packets', 'bytes', 'avgpkt'] as const;

export const connbytesMatch: MatchExtension<ConnbytesMatch> = {
  name: 'connbytes',
  kinds: ['connbytes'],
  options: [
    { name: 'connbytes', arg: 'required', invert: true },
    { name: 'connbytes-dir', arg: 'required' },
    { name: 'connbytes-mode', arg: 'required' },
  ],
  build(uses, ctx, at) {
    const get = (n: string) => uses.find((u) => u.name === n);
    for (const n of ['connbytes', 'connbytes-dir', 'connbytes-mode'])
      if (!get(n)) ctx.error(at, `connbytes: option "--${n}" must be specified`);
    const c = get('connbytes')!;
    const v = uintRangeOption(c, ctx, 'connbytes', U64_MAX);
    const from = v[0]!;
    const to = v.length === 2 ? v[1]! : U64_MAX;
    if (from > to) ctx.error(c.valueAt, `${from} should be less than ${to}`);
    const d = get('connbytes-dir')!;
    const direction = DIRS.find((x) => x === d.value);
    if (!direction)
      ctx.error(d.valueAt, `Unknown --connbytes-dir \`${d.value}' (expected original, reply or both)`);
    const mo = get('connbytes-mode')!;
    const mode = MODES.find((x) => x === mo.value);
    if (!mode)
      ctx.error(mo.valueAt, `Unknown --connbytes-mode \`${mo.value}' (expected packets, bytes or avgpkt)`);
    // The kernel marks inversion by from > to, so a one-value range cannot be inverted.
    return {
      kind: 'connbytes',
      count: { from, to },
      invert: c.invert && from !== to,
      mode: mode!,
      direction: direction!,
    };
  },
  save(m) {
    const { from, to } = m.count;
    const range = to !== 0n && to < U64_MAX ? `${from}:${to}` : `${from}`;
    return `${m.invert ? '! ' : ''}--connbytes ${range} --connbytes-mode ${m.mode} --connbytes-dir ${m.direction}`;
  },
};
