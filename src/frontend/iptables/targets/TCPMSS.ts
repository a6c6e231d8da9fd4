// -j TCPMSS (libxt_TCPMSS): --set-mss VALUE | --clamp-mss-to-pmtu; the later one wins.
//
// Kernel checks (xt_TCPMSS): the rule must have -p tcp (xt_target.proto); clamping is only
// allowed from FORWARD, OUTPUT and POSTROUTING; and the rule must contain a tcp match that
// requires SYN (tcp_flags comp has SYN, not inverted).

import type { TcpmssTarget } from '../../../ir/targets/TCPMSS.js';
import type { TargetExtension } from '../extension.js';
import { uintOption } from '../xtables-options.js';

const CLAMP_HOOKS = ['FORWARD', 'OUTPUT', 'POSTROUTING'];

export const tcpmssTarget: TargetExtension<TcpmssTarget> = {
  name: 'TCPMSS',
  kinds: ['TCPMSS'],
  kernelProtocol: 6,
  options: [
    { name: 'set-mss', arg: 'required' },
    { name: 'clamp-mss-to-pmtu', arg: 'none' },
  ],
  build(uses, ctx, at) {
    let mss: number | 'pmtu' | undefined;
    const max = 0xffff - (ctx.family === 'ipv4' ? 20 : 40);
    for (const use of uses) {
      if (use.name === 'set-mss') mss = uintOption(use, ctx, 'TCPMSS', 0, max, 'bare');
      else mss = 'pmtu';
    }
    if (mss === undefined) ctx.error(at, 'TCPMSS target: At least one parameter is required');
    return { kind: 'TCPMSS', mss: mss! };
  },
  kernelCheck(t, env) {
    if (t.mss === 'pmtu') {
      const bad = [...env.hooks].filter((h) => !CLAMP_HOOKS.includes(h));
      if (bad.length > 0) {
        return `TCPMSS --clamp-mss-to-pmtu is only supported from FORWARD, OUTPUT and POSTROUTING, not ${bad.join('/')}`;
      }
    }
    // find_syn_match: a tcp match whose --tcp-flags require SYN, not inverted.
    const syn = env.matches.some(
      (m) =>
        m.kind === 'tcp' &&
        m.flags &&
        !m.flags.invert &&
        m.flags.value.comp & 0x02 &&
        m.flags.value.mask & 0x02,
    );
    return syn ? undefined : 'TCPMSS only works on TCP SYN packets: add --syn or --tcp-flags SYN,RST SYN';
  },
  save: (t) => (t.mss === 'pmtu' ? '--clamp-mss-to-pmtu' : `--set-mss ${t.mss}`),
};
