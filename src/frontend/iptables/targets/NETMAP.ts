// -j NETMAP: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/NETMAP.ts, options and save order from libxt_NETMAP.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const netmapTarget: TargetExtension = notImplementedTarget('NETMAP');
