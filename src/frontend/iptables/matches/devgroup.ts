// -m devgroup: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/devgroup.ts, options and save order from libxt_devgroup.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const devgroupMatch: MatchExtension = notImplemented('devgroup');
