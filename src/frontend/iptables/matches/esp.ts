// -m esp [!] --espspi SPI[:SPI] (libxt_esp).

import type { Negated } from '../../../ir/common.js';
import type { EspMatch, UintRange } from '../../../ir/matches/esp.js';
import type { MatchExtension, OptionUse, ParseContext } from '../extension.js';
import { xtUintRange } from './length.js';

const U32_MAX = 0xffffffff;

/** An XTTYPE_UINT32RC option as a range (one value: from === to); absent when 0:max, not inverted. */
export function u32RangeOption(
  use: OptionUse | undefined,
  ctx: ParseContext,
  ext: string,
): Negated<UintRange> | undefined {
  if (!use) return undefined;
  const [from, to] = xtUintRange(use, ctx, ext, U32_MAX);
  const value = { from: from!, to: to ?? from! };
  return value.from === 0 && value.to === U32_MAX && !use.invert ? undefined : { value, invert: use.invert };
}

/**
 * How iptables 1.8.9 saves such a range (` ! --NAME a:b`): nothing for 0:4294967295 even when
 * inverted, a single number when from === to.
 */
export function saveU32Range(name: string, r: Negated<UintRange> | undefined): string[] {
  if (!r || (r.value.from === 0 && r.value.to === U32_MAX)) return [];
  const v = r.value.from === r.value.to ? `${r.value.from}` : `${r.value.from}:${r.value.to}`;
  return [`${r.invert ? '! ' : ''}--${name} ${v}`];
}

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
