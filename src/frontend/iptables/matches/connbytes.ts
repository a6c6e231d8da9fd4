// -m connbytes: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/connbytes.ts, options and save order from libxt_connbytes.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const connbytesMatch: MatchExtension = notImplemented('connbytes');
