// -m connlimit (libxt_connlimit revision 1): [!] --connlimit-upto N, [!] --connlimit-above N,
// --connlimit-mask PREFIX, --connlimit-saddr/--connlimit-daddr.

import type { ConnlimitMatch } from '../../../ir/matches/connlimit.js';
import { plenOrMask } from '../addresses.js';
import { type MatchExtension, single } from '../extension.js';
import { type FcheckEntry, optionsFcheck, uintOption } from '../xtables-options.js';

const TABLE: readonly FcheckEntry[] = [
  { name: 'connlimit-upto', excl: ['connlimit-above'] },
  { name: 'connlimit-above', excl: ['connlimit-upto'] },
  { name: 'connlimit-mask' },
  { name: 'connlimit-saddr', excl: ['connlimit-daddr'] },
  { name: 'connlimit-daddr', excl: ['connlimit-saddr'] },
];

export const connlimitMatch: MatchExtension<ConnlimitMatch> = {
  name: 'connlimit',
  kinds: ['connlimit'],
  options: [
    { name: 'connlimit-upto', arg: 'required', invert: true },
    { name: 'connlimit-above', arg: 'required', invert: true },
    { name: 'connlimit-mask', arg: 'required' },
    { name: 'connlimit-saddr', arg: 'none' },
    { name: 'connlimit-daddr', arg: 'none' },
  ],
  build(uses, ctx, at) {
    const full = ctx.family === 'ipv4' ? 32 : 128;
    let limit = 0;
    let above = false;
    let prefixLen = full;
    let key: ConnlimitMatch['key'] = 'source';
    for (const u of uses) {
      if (u.name === 'connlimit-upto' || u.name === 'connlimit-above') {
        limit = uintOption(u, ctx, 'connlimit', 0, 0xffffffff, 'quoted');
        above = (u.name === 'connlimit-above') !== u.invert;
      } else if (u.name === 'connlimit-mask') {
        // A numeric mask: its prefix length when contiguous, otherwise every bit.
        const len = plenOrMask(ctx.family, u.value!);
        if (len === undefined) {
          ctx.error(
            u.valueAt,
            `connlimit: bad value for option "--connlimit-mask", neither a valid network mask nor valid CIDR (0-${full}): \`${u.value}'`,
          );
        }
        prefixLen = len ?? full;
      } else if (u.name === 'connlimit-saddr') key = 'source';
      else if (u.name === 'connlimit-daddr') key = 'destination';
    }
    if (!single(uses, 'connlimit-upto') && !single(uses, 'connlimit-above')) {
      ctx.error(at, 'You must specify "--connlimit-above" or "--connlimit-upto".');
    }
    optionsFcheck('connlimit', TABLE, uses, ctx, at);
    return { kind: 'connlimit', limit, above, prefixLen, key };
  },
  save(m) {
    return `--connlimit-${m.above ? 'above' : 'upto'} ${m.limit} --connlimit-mask ${m.prefixLen} --connlimit-${m.key === 'source' ? 'saddr' : 'daddr'}`;
  },
};
