// -m hbh: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/hbh.ts, options and save order from libxt_hbh.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const hbhMatch: MatchExtension = notImplemented('hbh');
