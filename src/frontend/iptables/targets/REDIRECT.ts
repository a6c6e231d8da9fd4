// -j REDIRECT: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/REDIRECT.ts, options and save order from libxt_REDIRECT.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const redirectTarget: TargetExtension = notImplementedTarget('REDIRECT');
