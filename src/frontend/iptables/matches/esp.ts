// -m esp: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/esp.ts, options and save order from libxt_esp.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const espMatch: MatchExtension = notImplemented('esp');
