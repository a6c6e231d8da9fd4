// -m frag: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/frag.ts, options and save order from libxt_frag.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const fragMatch: MatchExtension = notImplemented('frag');
