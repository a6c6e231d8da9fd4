// -m frag (libip6t_frag): [!] --fragid ID[:ID], [!] --fraglen N, --fragres, --fragfirst,
// --fragmore, --fraglast.

import type { Negated } from '../../../ir/common.js';
import type { FragMatch } from '../../../ir/matches/frag.js';
import { type MatchExtension, optional } from '../extension.js';
import { saveU32Range, u32RangeOption, uintOption } from '../xtables-options.js';

export const fragMatch: MatchExtension<FragMatch> = {
  name: 'frag',
  kinds: ['frag'],
  families: ['ipv6'],
  options: [
    { name: 'fragid', arg: 'required', invert: true },
    { name: 'fraglen', arg: 'required', invert: true },
    { name: 'fragres', arg: 'none' },
    { name: 'fragfirst', arg: 'none' },
    { name: 'fragmore', arg: 'none' },
    { name: 'fraglast', arg: 'none' },
  ],
  build(uses, ctx) {
    const get = (n: string) => uses.find((u) => u.name === n);
    const more = get('fragmore');
    const last = get('fraglast');
    if (more && last) {
      const second = uses.indexOf(more) > uses.indexOf(last) ? more : last;
      ctx.error(second.at, 'frag: option "--fragmore" cannot be used together with "--fraglast"');
    }
    const len = get('fraglen');
    let headerLength: Negated<number> | undefined;
    if (len) headerLength = { value: uintOption(len, ctx, 'frag', 0, 0xffffffff), invert: len.invert };
    return {
      kind: 'frag',
      ...optional('id', u32RangeOption(get('fragid'), ctx, 'frag')),
      ...optional('headerLength', headerLength),
      reservedZero: get('fragres') !== undefined,
      first: get('fragfirst') !== undefined,
      more: more !== undefined,
      last: last !== undefined,
    };
  },
  save(m) {
    const parts = saveU32Range('fragid', m.id);
    if (m.headerLength) parts.push(`${m.headerLength.invert ? '! ' : ''}--fraglen ${m.headerLength.value}`);
    if (m.reservedZero) parts.push('--fragres');
    if (m.first) parts.push('--fragfirst');
    if (m.more) parts.push('--fragmore');
    if (m.last) parts.push('--fraglast');
    return parts.join(' ');
  },
};
