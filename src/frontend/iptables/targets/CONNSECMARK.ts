// -j CONNSECMARK: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/CONNSECMARK.ts, options and save order from libxt_CONNSECMARK.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const connsecmarkTarget: TargetExtension = notImplementedTarget('CONNSECMARK');
