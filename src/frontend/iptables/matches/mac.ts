// -m mac: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/mac.ts, options and save order from libxt_mac.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const macMatch: MatchExtension = notImplemented('mac');
