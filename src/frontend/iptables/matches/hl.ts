// -m hl: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/hl.ts, options and save order from libxt_hl.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const hlMatch: MatchExtension = notImplemented('hl');
