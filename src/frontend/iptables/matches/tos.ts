// -m tos: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/tos.ts, options and save order from libxt_tos.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const tosMatch: MatchExtension = notImplemented('tos');
