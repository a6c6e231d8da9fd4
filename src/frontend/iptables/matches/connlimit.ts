// -m connlimit: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/connlimit.ts, options and save order from libxt_connlimit.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const connlimitMatch: MatchExtension = notImplemented('connlimit');
