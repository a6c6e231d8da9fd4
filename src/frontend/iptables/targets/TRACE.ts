// -j TRACE (libxt_TRACE): no options.

import type { TraceTarget } from '../../../ir/targets/TRACE.js';
import type { TargetExtension } from '../extension.js';

export const traceTarget: TargetExtension<TraceTarget> = {
  name: 'TRACE',
  kinds: ['TRACE'],
  // xt_TRACE: .table = "raw".
  tables: ['raw'],
  options: [],
  build: () => ({ kind: 'TRACE' }),
  save: () => '',
};
