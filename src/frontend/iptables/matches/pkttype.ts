// -m pkttype: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/pkttype.ts, options and save order from libxt_pkttype.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const pkttypeMatch: MatchExtension = notImplemented('pkttype');
