// -j CT: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/CT.ts, options and save order from libxt_CT.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const ctTarget: TargetExtension = notImplementedTarget('CT');
