// -j CHECKSUM --checksum-fill (libxt_CHECKSUM); the option is mandatory.

import type { ChecksumTarget } from '../../../ir/targets/CHECKSUM.js';
import type { TargetExtension } from '../extension.js';

export const checksumTarget: TargetExtension<ChecksumTarget> = {
  name: 'CHECKSUM',
  kinds: ['CHECKSUM'],
  // xt_CHECKSUM: .table = "mangle".
  tables: ['mangle'],
  options: [{ name: 'checksum-fill', arg: 'none' }],
  build(uses, ctx, at) {
    if (!uses.some((u) => u.name === 'checksum-fill')) {
      ctx.error(at, 'CHECKSUM: option "--checksum-fill" must be specified');
    }
    return { kind: 'CHECKSUM' };
  },
  save: () => '--checksum-fill',
};
