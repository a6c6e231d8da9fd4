// -m esp (xt_esp.c, esp_mt): the SPI of an ESP header, IPv4 and IPv6 alike (both rely on
// `-p esp`, so par->thoff points at the ESP header).

import type { Negated } from '../../../ir/common.js';
import type { EspMatch, UintRange } from '../../../ir/matches/esp.js';
import { get32 } from '../../../wire/bytes.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { hasBytes, isLaterFragment, transportOffset } from './tcp.js';

/** spi_match: an inclusive u32 range XOR the option's `!`; absent is 0:0xffffffff, not inverted. */
export function u32RangeMatches(r: Negated<UintRange> | undefined, v: number): boolean {
  if (r === undefined) return true;
  return (v >= r.value.from && v <= r.value.to) !== r.invert;
}

/** sizeof(struct ip_esp_hdr): SPI and sequence number. */
const ESP_HEADER_LEN = 8;

export const espEvaluator: MatchEvaluator<EspMatch> = {
  kind: 'esp',
  test(m, ctx) {
    const p = ctx.packet;
    if (isLaterFragment(p)) return false;
    const th = transportOffset(p);
    if (!hasBytes(p, th, ESP_HEADER_LEN)) return 'hotdrop';
    return u32RangeMatches(m.spi, get32(p.bytes, th));
  },
};
