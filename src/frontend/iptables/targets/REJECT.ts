// -j REJECT: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/REJECT.ts, options and save order from libxt_REJECT.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const rejectTarget: TargetExtension = notImplementedTarget('REJECT');
