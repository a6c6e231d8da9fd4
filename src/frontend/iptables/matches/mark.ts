// -m mark: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/mark.ts, options and save order from libxt_mark.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const markMatch: MatchExtension = notImplemented('mark');
