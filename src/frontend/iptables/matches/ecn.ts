// -m ecn [!] --ecn-tcp-cwr, [!] --ecn-tcp-ece, [!] --ecn-ip-ect 0-3 (libxt_ecn).

import type { EcnMatch } from '../../../ir/matches/ecn.js';
import { type MatchExtension, optional } from '../extension.js';
import { uintOption } from '../xtables-options.js';

export const ecnMatch: MatchExtension<EcnMatch> = {
  name: 'ecn',
  kinds: ['ecn'],
  options: [
    { name: 'ecn-tcp-cwr', arg: 'none', invert: true },
    { name: 'ecn-tcp-ece', arg: 'none', invert: true },
    { name: 'ecn-ip-ect', arg: 'required', invert: true },
  ],
  build(uses, ctx, at) {
    if (uses.length === 0)
      ctx.error(at, 'ECN match: some option required (--ecn-tcp-cwr, --ecn-tcp-ece or --ecn-ip-ect)');
    const get = (n: string) => uses.find((u) => u.name === n);
    const cwr = get('ecn-tcp-cwr');
    const ece = get('ecn-tcp-ece');
    const ect = get('ecn-ip-ect');
    return {
      kind: 'ecn',
      ...optional('tcpEce', ece ? { invert: ece.invert } : undefined),
      ...optional('tcpCwr', cwr ? { invert: cwr.invert } : undefined),
      ...optional(
        'ipEct',
        ect ? { value: uintOption(ect, ctx, 'ecn', 0, 3), invert: ect.invert } : undefined,
      ),
    };
  },
  kernelCheck(m, env) {
    if ((m.tcpEce || m.tcpCwr) && (env.protocol?.protocol !== 6 || env.protocol.invert)) {
      return 'the ecn match cannot test TCP bits (--ecn-tcp-ece/--ecn-tcp-cwr) without -p tcp';
    }
    return undefined;
  },
  save(m) {
    const parts: string[] = [];
    if (m.tcpEce) parts.push(`${m.tcpEce.invert ? '! ' : ''}--ecn-tcp-ece`);
    if (m.tcpCwr) parts.push(`${m.tcpCwr.invert ? '! ' : ''}--ecn-tcp-cwr`);
    if (m.ipEct) parts.push(`${m.ipEct.invert ? '! ' : ''}--ecn-ip-ect ${m.ipEct.value}`);
    return parts.join(' ');
  },
};
