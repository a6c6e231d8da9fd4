// -j TCPMSS: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/TCPMSS.ts, options and save order from libxt_TCPMSS.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const tcpmssTarget: TargetExtension = notImplementedTarget('TCPMSS');
