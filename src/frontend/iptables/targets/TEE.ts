// -j TEE: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/TEE.ts, options and save order from libxt_TEE.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const teeTarget: TargetExtension = notImplementedTarget('TEE');
