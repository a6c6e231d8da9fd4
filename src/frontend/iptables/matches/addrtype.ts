// -m addrtype: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/addrtype.ts, options and save order from libxt_addrtype.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const addrtypeMatch: MatchExtension = notImplemented('addrtype');
