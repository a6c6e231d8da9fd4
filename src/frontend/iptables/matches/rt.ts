// -m rt (libip6t_rt): [!] --rt-type N, [!] --rt-segsleft N[:N], [!] --rt-len N, and for type 0
// --rt-0-res, --rt-0-addrs ADDR[,ADDR...], --rt-0-not-strict.

import { formatIpv6 } from '../../../ir/address.js';
import type { Negated } from '../../../ir/common.js';
import type { RtMatch, RtType0Addresses } from '../../../ir/matches/rt.js';
import { parseIpv6 } from '../addresses.js';
import { type MatchExtension, optional } from '../extension.js';
import { saveU32Range, u32RangeOption, uintOption } from '../xtables-options.js';

/** IP6T_RT_HOPS: addresses a type 0 test can list. */
const MAX_ADDRESSES = 16;

export const rtMatch: MatchExtension<RtMatch> = {
  name: 'rt',
  kinds: ['rt'],
  families: ['ipv6'],
  options: [
    { name: 'rt-type', arg: 'required', invert: true },
    { name: 'rt-segsleft', arg: 'required', invert: true },
    { name: 'rt-len', arg: 'required', invert: true },
    { name: 'rt-0-res', arg: 'none' },
    { name: 'rt-0-addrs', arg: 'required' },
    { name: 'rt-0-not-strict', arg: 'none' },
  ],
  build(uses, ctx) {
    const get = (n: string) => uses.find((u) => u.name === n);
    const typeUse = get('rt-type');
    const type: Negated<number> | undefined = typeUse
      ? { value: uintOption(typeUse, ctx, 'rt', 0, 0xffffffff), invert: typeUse.invert }
      : undefined;
    const lenUse = get('rt-len');
    const headerLength: Negated<number> | undefined = lenUse
      ? { value: uintOption(lenUse, ctx, 'rt', 0, 0xffffffff), invert: lenUse.invert }
      : undefined;
    // libip6t_rt checks these as it meets them: --rt-type 0 must come first.
    const before = (u: (typeof uses)[number]) =>
      typeUse !== undefined && uses.indexOf(typeUse) < uses.indexOf(u) && type!.value === 0 && !type!.invert;
    const res = get('rt-0-res');
    if (res && !before(res)) ctx.error(res.at, "`--rt-type 0' required before `--rt-0-res'");
    const addrs = get('rt-0-addrs');
    let type0Addresses: RtType0Addresses | undefined;
    if (addrs) {
      if (!before(addrs)) ctx.error(addrs.at, "`--rt-type 0' required before `--rt-0-addrs'");
      const list = addrs.value!.split(',');
      if (list.length > MAX_ADDRESSES) {
        ctx.error(addrs.valueAt, `too many addresses specified (at most ${MAX_ADDRESSES})`);
      }
      const addresses = list.map((text) => {
        const words = /^[0-9a-fA-F:.]+$/.test(text) ? parseIpv6(text) : undefined;
        if (!words) ctx.error(addrs.valueAt, `bad address: ${text} (expected an IPv6 address)`);
        return words!;
      });
      type0Addresses = { addresses, notStrict: false };
    }
    const nstrict = get('rt-0-not-strict');
    if (nstrict) {
      if (!addrs || uses.indexOf(addrs) > uses.indexOf(nstrict)) {
        ctx.error(nstrict.at, "`--rt-0-addr ...' required before `--rt-0-not-strict'");
      }
      type0Addresses = { ...type0Addresses!, notStrict: true };
    }
    return {
      kind: 'rt',
      ...optional('type', type),
      ...optional('segmentsLeft', u32RangeOption(get('rt-segsleft'), ctx, 'rt')),
      ...optional('headerLength', headerLength),
      reservedZero: res !== undefined,
      ...optional('type0Addresses', type0Addresses),
    };
  },
  save(m) {
    const parts: string[] = [];
    if (m.type) parts.push(`${m.type.invert ? '! ' : ''}--rt-type ${m.type.value}`);
    parts.push(...saveU32Range('rt-segsleft', m.segmentsLeft));
    if (m.headerLength) parts.push(`${m.headerLength.invert ? '! ' : ''}--rt-len ${m.headerLength.value}`);
    if (m.reservedZero) parts.push('--rt-0-res');
    if (m.type0Addresses) {
      parts.push(`--rt-0-addrs ${m.type0Addresses.addresses.map((a) => formatIpv6(a)).join(',')}`);
      if (m.type0Addresses.notStrict) parts.push('--rt-0-not-strict');
    }
    return parts.join(' ');
  },
};
