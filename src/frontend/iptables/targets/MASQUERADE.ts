// -j MASQUERADE: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/MASQUERADE.ts, options and save order from libxt_MASQUERADE.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const masqueradeTarget: TargetExtension = notImplementedTarget('MASQUERADE');
