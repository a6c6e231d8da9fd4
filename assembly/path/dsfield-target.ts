// -j TOS and -j DSCP (xt_DSCP.c tos_tg, dscp_tg; src/engine/reference/targets/mangle.ts): the
// IPv4 DS field rewritten when it differs, with ipv4_change_dsfield's own checksum arithmetic;
// later rules see the new field. Parameters: TOS value, mask; DSCP code point.

import { be16 } from '../memory';
import { fields, P_DS, packet } from '../packet';
import { params } from '../table';

/** ipv4_change_dsfield (include/net/dsfield.h): tos = (tos & mask) | value. */
function changeDsfield(mask: u32, value: u32): void {
  const tos = <i32>load<u8>(packet, 1);
  const dsfield = ((tos & <i32>mask) | <i32>value) & 0xff;
  let check = <i32>be16(packet + 10);
  check += tos;
  if (<u32>(check + 1) >>> 16 !== 0) check = (check + 1) & 0xffff;
  check -= dsfield;
  // The carry, a borrow showing as -1, as in the kernel's u32 arithmetic.
  check += check >> 16;
  store<u8>(packet, <u8>((check >> 8) & 0xff), 10);
  store<u8>(packet, <u8>(check & 0xff), 11);
  store<u8>(packet, <u8>dsfield, 1);
  store<u32>(fields + ((<usize>P_DS) << 2), <u32>dsfield);
}

/** tos_tg: nv = (orig & ~mask) ^ value, written only when it differs. */
export function tosTarget(at: u32): void {
  const p = params + ((<usize>at) << 2);
  const orig = <u32>load<u8>(packet, 1);
  const nv = ((orig & ~load<u32>(p, 4)) ^ load<u32>(p)) & 0xff;
  if (nv !== orig) changeDsfield(0, nv);
}

/** dscp_tg: the code point replaced when it differs, the ECN bits kept. */
export function dscpTarget(at: u32): void {
  const dscp = load<u32>(params + ((<usize>at) << 2));
  if (<u32>load<u8>(packet, 1) >> 2 !== dscp) changeDsfield(0x03, dscp << 2);
}
