// -j DSCP: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/DSCP.ts, options and save order from libxt_DSCP.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const dscpTarget: TargetExtension = notImplementedTarget('DSCP');
