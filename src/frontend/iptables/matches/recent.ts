// -m recent: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/recent.ts, options and save order from libxt_recent.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const recentMatch: MatchExtension = notImplemented('recent');
