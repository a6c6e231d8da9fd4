// -j RATEEST: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/RATEEST.ts, options and save order from libxt_RATEEST.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const rateestTarget: TargetExtension = notImplementedTarget('RATEEST');
