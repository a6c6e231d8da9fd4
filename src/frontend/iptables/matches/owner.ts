// -m owner: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/owner.ts, options and save order from libxt_owner.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const ownerMatch: MatchExtension = notImplemented('owner');
