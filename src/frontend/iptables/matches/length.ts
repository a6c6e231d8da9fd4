// -m length: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/length.ts, options and save order from libxt_length.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const lengthMatch: MatchExtension = notImplemented('length');
