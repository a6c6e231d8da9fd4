// -j SECMARK: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/SECMARK.ts, options and save order from libxt_SECMARK.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const secmarkTarget: TargetExtension = notImplementedTarget('SECMARK');
