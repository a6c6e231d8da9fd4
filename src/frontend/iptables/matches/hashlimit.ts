// -m hashlimit: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/hashlimit.ts, options and save order from libxt_hashlimit.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const hashlimitMatch: MatchExtension = notImplemented('hashlimit');
