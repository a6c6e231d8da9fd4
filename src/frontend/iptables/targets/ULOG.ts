// -j ULOG: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/ULOG.ts, options and save order from libxt_ULOG.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const ulogTarget: TargetExtension = notImplementedTarget('ULOG');
