// -m state: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/state.ts, options and save order from libxt_state.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const stateMatch: MatchExtension = notImplemented('state');
