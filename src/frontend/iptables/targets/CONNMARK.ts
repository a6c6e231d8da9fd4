// -j CONNMARK: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/CONNMARK.ts, options and save order from libxt_CONNMARK.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const connmarkTarget: TargetExtension = notImplementedTarget('CONNMARK');
