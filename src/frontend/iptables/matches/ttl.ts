// -m ttl: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/ttl.ts, options and save order from libxt_ttl.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const ttlMatch: MatchExtension = notImplemented('ttl');
