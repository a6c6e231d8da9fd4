// -m physdev: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/physdev.ts, options and save order from libxt_physdev.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const physdevMatch: MatchExtension = notImplemented('physdev');
