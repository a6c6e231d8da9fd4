// -j LED: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/LED.ts, options and save order from libxt_LED.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const ledTarget: TargetExtension = notImplementedTarget('LED');
