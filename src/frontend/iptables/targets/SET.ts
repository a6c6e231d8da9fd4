// -j SET: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/SET.ts, options and save order from libxt_SET.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const setTarget: TargetExtension = notImplementedTarget('SET');
