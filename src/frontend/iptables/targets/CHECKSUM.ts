// -j CHECKSUM: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/CHECKSUM.ts, options and save order from libxt_CHECKSUM.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const checksumTarget: TargetExtension = notImplementedTarget('CHECKSUM');
