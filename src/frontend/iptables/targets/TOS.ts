// -j TOS: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/TOS.ts, options and save order from libxt_TOS.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const tosTarget: TargetExtension = notImplementedTarget('TOS');
