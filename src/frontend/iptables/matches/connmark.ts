// -m connmark: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/connmark.ts, options and save order from libxt_connmark.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const connmarkMatch: MatchExtension = notImplemented('connmark');
