// -m quota: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/quota.ts, options and save order from libxt_quota.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const quotaMatch: MatchExtension = notImplemented('quota');
