// -m dscp: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/dscp.ts, options and save order from libxt_dscp.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const dscpMatch: MatchExtension = notImplemented('dscp');
