// -m esp [!] --espspi SPI[:SPI] (libxt_esp).

import type { EspMatch } from '../../../ir/matches/esp.js';
import type { MatchExtension } from '../extension.js';
import { saveU32Range, u32RangeOption } from '../xtables-options.js';

export const espMatch: MatchExtension<EspMatch> = {
  name: 'esp',
  kinds: ['esp'],
  kernelProtocol: 50,
  options: [{ name: 'espspi', arg: 'required', invert: true }],
  build(uses, ctx) {
    const spi = u32RangeOption(
      uses.find((u) => u.name === 'espspi'),
      ctx,
      'esp',
    );
    return spi ? { kind: 'esp', spi } : { kind: 'esp' };
  },
  save: (m) => saveU32Range('espspi', m.spi).join(' '),
};
