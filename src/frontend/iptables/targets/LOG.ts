// -j LOG: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/LOG.ts, options and save order from libxt_LOG.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const logTarget: TargetExtension = notImplementedTarget('LOG');
