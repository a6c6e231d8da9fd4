// -m ecn: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/ecn.ts, options and save order from libxt_ecn.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const ecnMatch: MatchExtension = notImplemented('ecn');
