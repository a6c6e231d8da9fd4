// -j TCPMSS (libxt_TCPMSS): --set-mss VALUE | --clamp-mss-to-pmtu; the later one wins.
//
// Kernel checks (xt_TCPMSS): the rule must have -p tcp (xt_target.proto); clamping is only
// allowed from FORWARD, OUTPUT and POSTROUTING; and the rule must contain a tcp match that
// requires SYN (tcp_flags comp has SYN, not inverted). The last two need the rule's matches and
// the reaching hooks, which a target's build() cannot see beyond the chain it is in.

import type { TcpmssTarget } from '../../../ir/targets/TCPMSS.js';
import type { TargetExtension } from '../extension.js';
import { uintOption } from './MARK.js';

const CLAMP_HOOKS = ['FORWARD', 'OUTPUT', 'POSTROUTING'];
const BUILTIN = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

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
      if (use.name === 'set-mss') mss = uintOption(use, ctx, 'TCPMSS', 0, max);
      else mss = 'pmtu';
    }
    if (mss === undefined) ctx.error(at, 'TCPMSS target: At least one parameter is required');
    const p = ctx.protocol;
    if (p?.protocol !== 6 || p.invert) {
      ctx.error(
        at,
        'TCPMSS is only valid in rules with -p tcp (not inverted); the kernel refuses it otherwise',
      );
    }
    if (mss === 'pmtu' && BUILTIN.includes(ctx.chain) && !CLAMP_HOOKS.includes(ctx.chain)) {
      ctx.error(
        at,
        `TCPMSS --clamp-mss-to-pmtu is only supported in FORWARD, OUTPUT and POSTROUTING, not ${ctx.chain} (the kernel refuses it)`,
      );
    }
    return { kind: 'TCPMSS', mss: mss! };
  },
  save: (t) => (t.mss === 'pmtu' ? '--clamp-mss-to-pmtu' : `--set-mss ${t.mss}`),
};
