// -m rpfilter: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/rpfilter.ts, options and save order from libxt_rpfilter.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const rpfilterMatch: MatchExtension = notImplemented('rpfilter');
