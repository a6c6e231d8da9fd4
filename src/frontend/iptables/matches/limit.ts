// -m limit: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/limit.ts, options and save order from libxt_limit.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const limitMatch: MatchExtension = notImplemented('limit');
