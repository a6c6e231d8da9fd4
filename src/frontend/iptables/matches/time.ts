// -m time: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/time.ts, options and save order from libxt_time.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const timeMatch: MatchExtension = notImplemented('time');
