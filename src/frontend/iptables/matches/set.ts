// -m set: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/set.ts, options and save order from libxt_set.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const setMatch: MatchExtension = notImplemented('set');
