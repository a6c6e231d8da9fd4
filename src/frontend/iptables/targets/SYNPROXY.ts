// -j SYNPROXY [--sack-perm] [--timestamp] [--wscale N] [--mss N] [--ecn] (libxt_SYNPROXY).
// wscale and mss are read as 32-bit numbers but stored in a u8 / u16.

import type { SynproxyTarget } from '../../../ir/targets/SYNPROXY.js';
import { optional, type TargetExtension } from '../extension.js';
import { U32_MAX } from '../numbers.js';
import { uintOption } from '../xtables-options.js';

export const synproxyTarget: TargetExtension<SynproxyTarget> = {
  name: 'SYNPROXY',
  kinds: ['SYNPROXY'],
  // ipt_SYNPROXY / ip6t_SYNPROXY: .table = "filter", LOCAL_IN | FORWARD, .proto = TCP.
  tables: ['filter'],
  hooks: ['INPUT', 'FORWARD'],
  kernelProtocol: 6,
  options: [
    { name: 'sack-perm', arg: 'none' },
    { name: 'timestamp', arg: 'none' },
    { name: 'wscale', arg: 'required' },
    { name: 'mss', arg: 'required' },
    { name: 'ecn', arg: 'none' },
  ],
  build(uses, ctx, at) {
    let wscale: number | undefined;
    let mss: number | undefined;
    for (const use of uses) {
      if (use.name === 'wscale') wscale = uintOption(use, ctx, 'SYNPROXY', 0, U32_MAX, 'bare') & 0xff;
      if (use.name === 'mss') mss = uintOption(use, ctx, 'SYNPROXY', 0, U32_MAX, 'bare') & 0xffff;
    }
    const p = ctx.protocol;
    if (p?.protocol !== 6 || p.invert) {
      ctx.error(
        at,
        'SYNPROXY is only valid in rules with -p tcp (not inverted); the kernel refuses it otherwise',
      );
    }
    const has = (n: string) => uses.some((u) => u.name === n);
    return {
      kind: 'SYNPROXY',
      sackPerm: has('sack-perm'),
      timestamp: has('timestamp'),
      ...optional('wscale', wscale),
      ...optional('mss', mss),
      ecn: has('ecn'),
    };
  },
  save(t) {
    const parts: string[] = [];
    if (t.sackPerm) parts.push('--sack-perm');
    if (t.timestamp) parts.push('--timestamp');
    if (t.wscale !== undefined) parts.push(`--wscale ${t.wscale}`);
    if (t.mss !== undefined) parts.push(`--mss ${t.mss}`);
    if (t.ecn) parts.push('--ecn');
    return parts.join(' ');
  },
};
