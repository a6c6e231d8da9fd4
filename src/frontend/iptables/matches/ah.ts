// -m ah: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/ah.ts, options and save order from libxt_ah.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const ahMatch: MatchExtension = notImplemented('ah');
