// -j AUDIT: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/AUDIT.ts, options and save order from libxt_AUDIT.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const auditTarget: TargetExtension = notImplementedTarget('AUDIT');
