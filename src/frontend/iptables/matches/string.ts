// -m string: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/string.ts, options and save order from libxt_string.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const stringMatch: MatchExtension = notImplemented('string');
