// -m ah (libipt_ah / libip6t_ah): [!] --ahspi SPI[:SPI]; IPv6 also [!] --ahlen N and --ahres.

import type { Negated } from '../../../ir/common.js';
import type { AhMatch } from '../../../ir/matches/ah.js';
import type { MatchExtension } from '../extension.js';
import { saveU32Range, u32RangeOption, uintOption } from '../xtables-options.js';

export const ahMatch: MatchExtension<AhMatch> = {
  name: 'ah',
  kinds: ['ah'],
  options: [
    { name: 'ahspi', arg: 'required', invert: true },
    { name: 'ahlen', arg: 'required', invert: true },
    { name: 'ahres', arg: 'none' },
  ],
  build(uses, ctx) {
    const get = (n: string) => uses.find((u) => u.name === n);
    if (ctx.family === 'ipv4') {
      const v6only = uses.find((u) => u.name !== 'ahspi');
      if (v6only)
        ctx.error(v6only.at, `unknown option "--${v6only.name}" (the IPv4 ah match has only --ahspi)`);
      // ipt_ah is registered with .proto = IPPROTO_AH (ip6t_ah searches the extension headers).
      const p = ctx.protocol;
      if (p?.protocol !== 51 || p.invert) {
        ctx.error(get('ahspi')?.at, 'the ah match is only valid with -p ah (not inverted)');
      }
    }
    const spi = u32RangeOption(get('ahspi'), ctx, 'ah');
    const len = get('ahlen');
    let headerLength: Negated<number> | undefined;
    if (len) {
      const value = uintOption(len, ctx, 'ah', 0, 0xffffffff);
      if (value !== 0 || len.invert) headerLength = { value, invert: len.invert };
    }
    return {
      kind: 'ah',
      ...(spi ? { spi } : {}),
      ...(headerLength ? { headerLength } : {}),
      reservedZero: get('ahres') !== undefined,
    };
  },
  save(m) {
    const parts = saveU32Range('ahspi', m.spi);
    if (m.headerLength) parts.push(`${m.headerLength.invert ? '! ' : ''}--ahlen ${m.headerLength.value}`);
    if (m.reservedZero) parts.push('--ahres');
    return parts.join(' ');
  },
};
