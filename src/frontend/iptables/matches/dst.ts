// -m dst: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/dst.ts, options and save order from libxt_dst.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const dstMatch: MatchExtension = notImplemented('dst');
