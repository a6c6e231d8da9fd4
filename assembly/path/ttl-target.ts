// -j TTL (xt_TTL.c ttl_tg, src/engine/reference/targets/mangle.ts): the IPv4 TTL set, raised or
// lowered (clamped to 0..255), the header checksum updated as csum_replace2 does; later rules see
// the new TTL. Parameters as the TTL codec writes them: mode (set, inc, dec), value.

import { be16 } from '../memory';
import { fields, P_TTL, packet } from '../packet';
import { params } from '../table';

const SET: u32 = 0;
const INC: u32 = 1;

/** csum_replace2 of a 16-bit word `from` by `to` in checksum `check` (ones' complement). */
export function csumReplace2(check: u32, from: u32, to: u32): u32 {
  let sum = (~check & 0xffff) + (~from & 0xffff) + (to & 0xffff);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

export function ttlTarget(at: u32): void {
  const p = params + ((<usize>at) << 2);
  const mode = load<u32>(p);
  const value = load<u32>(p, 4);
  const old = <u32>load<u8>(packet, 8);
  let ttl: u32;
  if (mode === SET) ttl = value;
  else if (mode === INC) ttl = old + value > 255 ? 255 : old + value;
  else ttl = value > old ? 0 : old - value;
  if (ttl === old) return;
  const check = csumReplace2(be16(packet + 10), old << 8, ttl << 8);
  store<u8>(packet, <u8>(check >> 8), 10);
  store<u8>(packet, <u8>check, 11);
  store<u8>(packet, <u8>ttl, 8);
  store<u32>(fields + ((<usize>P_TTL) << 2), ttl);
}
