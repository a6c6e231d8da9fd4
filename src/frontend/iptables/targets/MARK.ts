// -j MARK: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/MARK.ts, options and save order from libxt_MARK.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const markTarget: TargetExtension = notImplementedTarget('MARK');
