// -j NFLOG: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/NFLOG.ts, options and save order from libxt_NFLOG.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const nflogTarget: TargetExtension = notImplementedTarget('NFLOG');
