// -m iprange: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/iprange.ts, options and save order from libxt_iprange.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const iprangeMatch: MatchExtension = notImplemented('iprange');
