// -m helper: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/helper.ts, options and save order from libxt_helper.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const helperMatch: MatchExtension = notImplemented('helper');
