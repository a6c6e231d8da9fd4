// -j NOTRACK: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/NOTRACK.ts, options and save order from libxt_NOTRACK.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const notrackTarget: TargetExtension = notImplementedTarget('NOTRACK');
