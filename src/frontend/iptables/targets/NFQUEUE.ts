// -j NFQUEUE: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/targets/NFQUEUE.ts, options and save order from libxt_NFQUEUE.c / libipt_ / libip6t_.

import type { TargetExtension } from '../extension.js';
import { notImplementedTarget } from '../stub.js';

export const nfqueueTarget: TargetExtension = notImplementedTarget('NFQUEUE');
