// -j TRACE: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/TRACE.ts, options and save order from libxt_TRACE.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const traceTarget: TargetExtension = notImplementedTarget('TRACE');
