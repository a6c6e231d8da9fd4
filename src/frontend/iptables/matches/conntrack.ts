// -m conntrack: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/conntrack.ts, options and save order from libxt_conntrack.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const conntrackMatch: MatchExtension = notImplemented('conntrack');
