// -m u32: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/u32.ts, options and save order from libxt_u32.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const u32Match: MatchExtension = notImplemented('u32');
