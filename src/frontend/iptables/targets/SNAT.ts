// -j SNAT: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/SNAT.ts, options and save order from libxt_SNAT.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const snatTarget: TargetExtension = notImplementedTarget('SNAT');
