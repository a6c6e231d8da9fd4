// -j ULOG (libipt_ULOG): the kernel's ipt_ULOG was removed in Linux 3.17, so iptables cannot
// load such a rule ("Extension ULOG revision 0 not supported, missing kernel module?"). Its
// options are still read and checked the way iptables does before the rule is refused.

import type { TargetExtension } from '../extension.js';
import { uintOption } from '../xtables-options.js';
import { parsePrefix } from './LOG.js';

export const ulogTarget: TargetExtension = {
  name: 'ULOG',
  kinds: [],
  families: ['ipv4'],
  options: [
    { name: 'ulog-nlgroup', arg: 'required' },
    { name: 'ulog-prefix', arg: 'required' },
    { name: 'ulog-cprange', arg: 'required' },
    { name: 'ulog-qthreshold', arg: 'required' },
  ],
  build(uses, ctx, at) {
    for (const use of uses) {
      if (use.name === 'ulog-nlgroup') uintOption(use, ctx, 'ULOG', 1, 32, 'bare');
      else if (use.name === 'ulog-prefix') parsePrefix(use, ctx, 32, 'ulog-prefix');
      else if (use.name === 'ulog-cprange') uintOption(use, ctx, 'ULOG', 0, Number.MAX_SAFE_INTEGER, 'bare');
      else uintOption(use, ctx, 'ULOG', 1, 50, 'bare');
    }
    return ctx.error(
      at,
      'the ULOG target no longer exists in the kernel (ipt_ULOG was removed in Linux 3.17); use NFLOG',
    );
  },
  save: () => '',
};
