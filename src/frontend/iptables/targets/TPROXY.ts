// -j TPROXY: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/TPROXY.ts, options and save order from libxt_TPROXY.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const tproxyTarget: TargetExtension = notImplementedTarget('TPROXY');
