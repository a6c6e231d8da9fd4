// -m multiport: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/multiport.ts, options and save order from libxt_multiport.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const multiportMatch: MatchExtension = notImplemented('multiport');
