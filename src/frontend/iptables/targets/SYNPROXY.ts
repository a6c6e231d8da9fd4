// -j SYNPROXY: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/SYNPROXY.ts, options and save order from libxt_SYNPROXY.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const synproxyTarget: TargetExtension = notImplementedTarget('SYNPROXY');
