// -j SECMARK --selctx CONTEXT (libxt_SECMARK revision 1); mandatory. The kernel also needs an
// LSM (SELinux) that knows the context, which nfwasm cannot check.

import type { SecmarkTarget } from '../../../ir/targets/SECMARK.js';
import type { TargetExtension } from '../extension.js';
import { truncateBytes } from '../xtables-options.js';

const SECCTX_MAX = 256; // SECMARK_SECCTX_MAX

export const secmarkTarget: TargetExtension<SecmarkTarget> = {
  name: 'SECMARK',
  kinds: ['SECMARK'],
  // xt_SECMARK checkentry: only in the mangle or security table.
  tables: ['mangle', 'security'],
  options: [{ name: 'selctx', arg: 'required' }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'selctx');
    if (!use) ctx.error(at, 'SECMARK: option "--selctx" must be specified');
    const context = truncateBytes(use!.value!, SECCTX_MAX);
    if (context === '') ctx.error(use!.valueAt, 'SECMARK: the security context may not be empty');
    return { kind: 'SECMARK', context };
  },
  save: (t) => `--selctx ${t.context}`,
};
