// -j IDLETIMER: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/IDLETIMER.ts, options and save order from libxt_IDLETIMER.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const idletimerTarget: TargetExtension = notImplementedTarget('IDLETIMER');
