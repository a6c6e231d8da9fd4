// -m rt: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/rt.ts, options and save order from libxt_rt.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const rtMatch: MatchExtension = notImplemented('rt');
