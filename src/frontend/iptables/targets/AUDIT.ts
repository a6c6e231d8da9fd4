// -j AUDIT --type {accept|drop|reject} (libxt_AUDIT), case-insensitive, mandatory.

import type { AuditTarget } from '../../../ir/targets/AUDIT.js';
import type { TargetExtension } from '../extension.js';

const TYPES = ['accept', 'drop', 'reject'] as const;

export const auditTarget: TargetExtension<AuditTarget> = {
  name: 'AUDIT',
  kinds: ['AUDIT'],
  options: [{ name: 'type', arg: 'required' }],
  build(uses, ctx, at) {
    const use = uses.find((u) => u.name === 'type');
    if (!use) ctx.error(at, 'AUDIT: option "--type" must be specified');
    const type = TYPES.find((t) => t === use!.value!.replace(/[A-Z]/g, (c) => c.toLowerCase()));
    if (!type)
      ctx.error(use!.valueAt, `Bad action type value "${use!.value}" (expected accept, drop or reject)`);
    return { kind: 'AUDIT', type: type! };
  },
  save: (t) => `--type ${t.type}`,
};
