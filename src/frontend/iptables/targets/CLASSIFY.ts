// -j CLASSIFY: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/CLASSIFY.ts, options and save order from libxt_CLASSIFY.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const classifyTarget: TargetExtension = notImplementedTarget('CLASSIFY');
