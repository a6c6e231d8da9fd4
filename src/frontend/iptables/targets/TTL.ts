// -j TTL: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/TTL.ts, options and save order from libxt_TTL.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const ttlTarget: TargetExtension = notImplementedTarget('TTL');
