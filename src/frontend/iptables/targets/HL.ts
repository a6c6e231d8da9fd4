// -j HL: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/HL.ts, options and save order from libxt_HL.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const hlTarget: TargetExtension = notImplementedTarget('HL');
