// -m statistic: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/statistic.ts, options and save order from libxt_statistic.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const statisticMatch: MatchExtension = notImplemented('statistic');
