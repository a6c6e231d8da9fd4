// -j DNAT: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/DNAT.ts, options and save order from libxt_DNAT.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const dnatTarget: TargetExtension = notImplementedTarget('DNAT');
